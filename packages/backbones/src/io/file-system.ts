/**
 * A tfjs IOHandler on the Node file system. Node-only: reached through `@fr/backbones/node`,
 * never from the main entry, so browser bundles never see `node:` imports.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { tf, writeFileAtomic } from '@fr/core';

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

async function readJson(file: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new Error(`No model file at ${file}`);
    throw error;
  }
  try {
    return JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Weight paths must stay inside the model's folder (a model.json must not read arbitrary files). */
function weightPath(dir: string, path: string, modelFile: string): string {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`${modelFile} references weights outside its folder: "${path}"`);
  }
  return full;
}

/**
 * Saves/loads tfjs artifacts as `model.json` plus one weights file in `path` (a folder, or a
 * `.json` file path). The weights file is named after the model file and a hash of its bytes
 * (`model.<sha256-12>.bin`) and written before model.json, each atomically, so a reader always
 * sees a model.json whose weights are complete; the previous weights file is removed afterwards.
 *
 * @example
 * ```ts
 * import { fileSystem } from '@fr/backbones/node';
 * await saveBackbone(backbone, fileSystem('out/r50'));
 * const again = await loadBackbone(fileSystem('out/r50'));
 * ```
 */
export function fileSystem(path: string): tf.io.IOHandler {
  const isFile = path.endsWith('.json');
  const dir = resolve(isFile ? dirname(path) : path);
  const modelName = isFile ? basename(path) : 'model.json';
  const modelFile = join(dir, modelName);
  const stem = modelName.replace(/\.json$/, '');

  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystem() saves JSON model topologies only');
      }
      await mkdir(dir, { recursive: true });
      const previous = await readJson(modelFile).catch(() => null);
      const weights = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const weightsName = `${stem}.${createHash('sha256').update(weights).digest('hex').slice(0, 12)}.bin`;
      await writeFileAtomic(join(dir, weightsName), weights);
      const modelJSON: tf.io.ModelJSON = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology ?? {},
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.modelInitializer ? { modelInitializer: artifacts.modelInitializer } : {}),
        ...(artifacts.initializerSignature ? { initializerSignature: artifacts.initializerSignature } : {}),
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(modelFile, JSON.stringify(modelJSON, null, 1));
      // Drop the weights the old model.json pointed at (only files of our own naming scheme).
      const stale = (previous?.weightsManifest ?? []).flatMap((g) => g.paths)
        .filter((p) => p !== weightsName && p.startsWith(`${stem}.`) && p.endsWith('.bin') && !p.includes('/'));
      await Promise.all(stale.map((p) => unlink(join(dir, p)).catch(() => undefined)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJSON = await readJson(modelFile);
      if (!Array.isArray(modelJSON.weightsManifest)) {
        throw new Error(`${modelFile} has no weightsManifest`);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = weightPath(dir, p, modelFile);
            let data: Buffer;
            try {
              data = await readFile(file);
            } catch (error) {
              if (errorCode(error) === 'ENOENT') throw new Error(`Weights file ${file} referenced by ${modelFile} is missing`);
              throw error;
            }
            // readFile's Buffer usually owns its ArrayBuffer: hand it over without a copy.
            const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
            buffers.push((whole ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) as ArrayBuffer);
          }
        }
        return [tf.io.getWeightSpecs(manifest), buffers.length === 1 ? (buffers[0] as ArrayBuffer) : buffers];
      });
    },
  };
}
