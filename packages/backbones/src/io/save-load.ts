import { tf, type Backbone } from '@fr/core';
import { backboneFromArtifacts, backboneToArtifacts, type LoadBackboneOptions } from './model-format.js';

const HINT = 'use an http(s):// URL of model.json, indexeddb://, localstorage:// or downloads://, a tf.io handler ' +
  '(tf.io.browserFiles, tf.io.http, …), or in Node `fileSystem(dir)` from "@fr/backbones/node" (importing it also enables file://)';

function resolveHandler(target: string | tf.io.IOHandler, mode: 'save' | 'load'): tf.io.IOHandler {
  if (typeof target !== 'string') return target;
  const handlers = mode === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
  const handler = handlers[0];
  if (!handler) throw new Error(`No tfjs IOHandler can ${mode} "${target}": ${HINT}`);
  return handler;
}

/**
 * Saves a backbone in the tfjs artifacts format (model.json + binary weights): the architecture
 * config as `modelTopology`, the preprocessing contract in `userDefinedMetadata.fr`.
 *
 * @example
 * ```ts
 * import { fileSystem } from '@fr/backbones/node';
 * await saveBackbone(backbone, fileSystem('runs/r50/export'));   // Node
 * await saveBackbone(backbone, 'downloads://r50');               // browser download
 * ```
 */
export async function saveBackbone(backbone: Backbone, destination: string | tf.io.IOHandler): Promise<tf.io.SaveResult> {
  const handler = resolveHandler(destination, 'save');
  if (!handler.save) throw new Error('this IOHandler cannot save');
  return handler.save(await backboneToArtifacts(backbone));
}

/**
 * Loads a backbone saved by {@link saveBackbone}, validating the file and (with
 * `options.expect`) that its preprocessing contract is what the caller feeds it. The result is in
 * evaluation mode.
 *
 * @example
 * ```ts
 * const backbone = await loadBackbone('https://example.com/r50/model.json', {
 *   expect: { inputSize: 112, colorOrder: 'rgb', normalization: 'minus1to1' },
 * });
 * const e = embedPixels(backbone, imageData);
 * ```
 */
export async function loadBackbone(source: string | tf.io.IOHandler, options: LoadBackboneOptions = {}): Promise<Backbone> {
  const handler = resolveHandler(source, 'load');
  if (!handler.load) throw new Error('this IOHandler cannot load');
  return backboneFromArtifacts(await handler.load(), options);
}
