import type { GoldenAdapter } from '../schema.js';

/** Every adapter the golden runner knows. Add one per method family. */
export const adapters: readonly GoldenAdapter[] = [];
