/**
 * `@fr/backbones/node`: the Node file-system IOHandler. Importing this entry also registers
 * `file://` save/load routers with tf.io, so `saveBackbone(b, 'file://out/r50')` works.
 * @packageDocumentation
 */
import { tf } from '@fr/core';
import { fileSystem } from '../io/file-system.js';

export { fileSystem };

const PREFIX = 'file://';
let registered = false;

/** Registers the `file://` routers (idempotent; done on import). */
export function registerFileSystemRouter(): void {
  if (registered) return;
  registered = true;
  // tfjs routers return null for URLs they do not handle (its IORouter type omits the null).
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith(PREFIX) ? fileSystem(url.slice(PREFIX.length)) : null) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
}

registerFileSystemRouter();
