import type { ArchitectureDefinition } from './architecture.js';
import { iresnetArchitectures } from './iresnet/index.js';
import { mobilefacenetArchitectures } from './mobilefacenet/index.js';
import { vitArchitectures } from './vit/index.js';

/** Every architecture this package ships, in registry order. */
export function builtinArchitectures(): ArchitectureDefinition[] {
  return [...iresnetArchitectures(), ...mobilefacenetArchitectures(), ...vitArchitectures()] as unknown as ArchitectureDefinition[];
}
