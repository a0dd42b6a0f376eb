import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tf, Rng, type Backbone } from '@fr/core';
import {
  MODEL_FORMAT, VERSION, backboneFromArtifacts, backboneToArtifacts, createBackbone, embed, loadBackbone, saveBackbone,
} from '@fr/backbones';
import { fileSystem } from '@fr/backbones/node';
import { useCpu } from './support/setup.js';
import { TINY, expectSameState, flat, images } from './support/checks.js';
import { readModelJson, serveFolders, tempDir, writeModelJson } from './support/model-files.js';

beforeAll(useCpu);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const newDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

/** A tiny backbone whose BN running statistics are no longer the initial 0/1. */
function trained(which: keyof typeof TINY, seed = 1): Backbone {
  const { name, options } = TINY[which];
  const b = createBackbone(name, options, { rng: Rng.fromSeed(seed) });
  const x = images(b, 4, seed);
  tf.tidy(() => {
    b.forward(x, { training: true, rng: Rng.fromSeed(2) });
  });
  x.dispose();
  return b;
}

let saved: { dir: string; backbone: Backbone };
beforeAll(async () => {
  const dir = newDir();
  const backbone = trained('iresnet');
  await saveBackbone(backbone, fileSystem(dir));
  saved = { dir, backbone };
});

/** A fresh copy of the saved model folder whose model.json can be edited. */
function copyOfSaved(edit?: (json: Record<string, any>) => void): string {
  const dir = newDir();
  for (const f of readdirSync(saved.dir)) writeFileSync(join(dir, f), readFileSync(join(saved.dir, f)));
  if (edit) {
    const json = readModelJson(dir);
    edit(json);
    writeModelJson(dir, json);
  }
  return dir;
}

describe('save → load', () => {
  test.each(Object.keys(TINY) as (keyof typeof TINY)[])('%s round trip gives identical weights and embeddings, in eval mode', async (which) => {
    const dir = newDir();
    const original = trained(which);
    await saveBackbone(original, fileSystem(dir));
    const loaded = await loadBackbone(fileSystem(dir));
    expect(loaded.config).toEqual(original.config);
    expect(loaded.auxOutputs).toEqual(original.auxOutputs);
    expect(loaded.module.training).toBe(false);
    expectSameState(original, loaded);
    const x = images(original, 3, 5);
    expect(flat(embed(loaded, x))).toEqual(flat(embed(original, x)));
    x.dispose();
    original.module.dispose();
    loaded.module.dispose();
  });

  test('model.json: tfjs artifacts layout with our config and the preprocessing contract', () => {
    const json = readModelJson(saved.dir);
    const b = saved.backbone;
    expect(json.format).toBe(MODEL_FORMAT);
    expect(json.generatedBy).toBe(`@fr/backbones ${VERSION}`);
    expect(json.modelTopology).toEqual(b.config);
    expect(json.weightsManifest).toHaveLength(1);
    const [group] = json.weightsManifest;
    expect(group.paths).toEqual([expect.stringMatching(/^model\.[0-9a-f]{12}\.bin$/)]);
    expect(group.weights.map((w: { name: string }) => w.name)).toEqual([...b.module.stateDict().keys()]);
    expect(json.userDefinedMetadata.fr).toEqual({
      formatVersion: 1,
      library: '@fr/backbones',
      version: VERSION,
      architecture: 'iresnet18',
      embeddingSize: 512,
      auxOutputs: [],
      preprocessing: { inputSize: 32, colorOrder: 'rgb', normalization: 'minus1to1', normalizationFormula: 'x/127.5 - 1', embeddingNormalization: 'l2' },
      input: { layout: 'NHWC', shape: [null, 32, 32, 3], dtype: 'float32' },
      parameterCount: b.module.parameterCount(),
    });
    const bytes = readFileSync(join(saved.dir, group.paths[0])).byteLength;
    expect(bytes).toBe(4 * [...b.module.stateDict().values()].reduce((n, v) => n + v.size, 0));
  });

  test('saves are atomic: no temp files, the weights file is renamed by content, the stale one removed', async () => {
    const dir = newDir();
    const a = trained('mobilefacenet', 1);
    await saveBackbone(a, fileSystem(dir));
    const first = readdirSync(dir).sort();
    expect(first).toHaveLength(2);
    await saveBackbone(a, fileSystem(dir));
    expect(readdirSync(dir).sort()).toEqual(first); // same bytes → same name
    const b = trained('mobilefacenet', 2);
    await saveBackbone(b, fileSystem(dir));
    const second = readdirSync(dir).sort();
    expect(second).toHaveLength(2);
    expect(second).not.toEqual(first);
    expect(second.some((f) => f.includes('.tmp-'))).toBe(false);
    expectSameState(b, await loadBackbone(fileSystem(dir)));
    // A `.json` path picks the file name; its weights are named after it.
    await saveBackbone(a, fileSystem(join(dir, 'other.json')));
    expect(readdirSync(dir).filter((f) => f.startsWith('other.'))).toHaveLength(2);
    a.module.dispose();
    b.module.dispose();
  });

  test('file:// URLs work once @fr/backbones/node is imported', async () => {
    const dir = newDir();
    await saveBackbone(saved.backbone, `file://${dir}`);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    const loaded = await loadBackbone(`file://${dir}`);
    expectSameState(saved.backbone, loaded);
    loaded.module.dispose();
  });

  test('any tfjs IOHandler: in-memory artifacts', async () => {
    let captured: tf.io.ModelArtifacts | undefined;
    await saveBackbone(saved.backbone, tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await loadBackbone(tf.io.fromMemory(captured!));
    expectSameState(saved.backbone, loaded);
    loaded.module.dispose();
  });

  test('http(s) URLs load through tf.io.http', async () => {
    const server = await serveFolders({ '/models/r18/': saved.dir });
    try {
      const loaded = await loadBackbone(`${server.url}/models/r18/model.json`);
      expectSameState(saved.backbone, loaded);
      loaded.module.dispose();
    } finally {
      await server.close();
    }
  });
});

describe('bad model files give clear errors', () => {
  const load = (dir: string, options = {}) => loadBackbone(fileSystem(dir), options);

  test('not an @fr model', async () => {
    await expect(load(copyOfSaved((j) => { j.format = 'layers-model'; }))).rejects.toThrow(/not an @fr backbone \(format "layers-model", expected "fr-backbone"\)/);
  });
  test('missing preprocessing metadata', async () => {
    await expect(load(copyOfSaved((j) => { delete j.userDefinedMetadata; }))).rejects.toThrow(/userDefinedMetadata\.fr \(the preprocessing contract\) is missing/);
  });
  test('unknown architecture', async () => {
    await expect(load(copyOfSaved((j) => { j.modelTopology.architecture = 'resnet9000'; }))).rejects.toThrow(/Unknown backbone architecture "resnet9000"/);
  });
  test('invalid config', async () => {
    await expect(load(copyOfSaved((j) => { j.modelTopology.widthMultiplier = -1; }))).rejects.toThrow(/Invalid options for backbone "iresnet18"[\s\S]*widthMultiplier/);
  });
  test('metadata contradicting the config', async () => {
    await expect(load(copyOfSaved((j) => { j.userDefinedMetadata.fr.preprocessing.inputSize = 112; }))).rejects.toThrow(/contradicts itself \(preprocessing\.inputSize: metadata 112 vs config 32\)/);
  });
  test('a newer format version', async () => {
    await expect(load(copyOfSaved((j) => { j.userDefinedMetadata.fr.formatVersion = 2; }))).rejects.toThrow(/format version 2 is not supported/);
  });
  test('weight names that do not match', async () => {
    await expect(load(copyOfSaved((j) => { j.weightsManifest[0].weights[0].name = 'stem.weight'; })))
      .rejects.toThrow(/weights do not match the iresnet18 architecture: unexpected weight "stem\.weight"; missing weight "conv1\.weight"/);
  });
  test('weight shapes that do not match', async () => {
    await expect(load(copyOfSaved((j) => { j.weightsManifest[0].weights[0].shape = [3, 3, 3, 9]; })))
      .rejects.toThrow(/"conv1\.weight" has shape \[3,3,3,9\] but iresnet18 needs \[3,3,3,8\]/);
  });
  test('a truncated weights file', async () => {
    const dir = copyOfSaved();
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    truncateSync(join(dir, bin), 1000);
    await expect(load(dir)).rejects.toThrow(/weight data has 1000 bytes but the manifest describes \d+/);
  });
  test('a missing weights file', async () => {
    const dir = copyOfSaved();
    rmSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.bin'))!));
    await expect(load(dir)).rejects.toThrow(/Weights file .*\.bin referenced by .*model\.json is missing/);
  });
  test('weights outside the model folder', async () => {
    await expect(load(copyOfSaved((j) => { j.weightsManifest[0].paths = ['../../etc/passwd']; }))).rejects.toThrow(/references weights outside its folder/);
  });
  test('not JSON / no model', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'model.json'), '{ nope');
    await expect(load(dir)).rejects.toThrow(/model\.json is not valid JSON/);
    await expect(load(join(dir, 'absent'))).rejects.toThrow(/No model file at .*absent[/\\]model\.json/);
  });
  test('a preprocessing contract the caller does not meet', async () => {
    await expect(load(saved.dir, { expect: { inputSize: 112, colorOrder: 'bgr', normalization: 'minus1to1' } }))
      .rejects.toThrow(/does not match what the caller expects: inputSize is 32, expected 112; colorOrder is "rgb", expected "bgr"/);
    const ok = await load(saved.dir, { expect: { inputSize: 32, colorOrder: 'rgb', normalization: 'minus1to1', embeddingSize: 512, architecture: 'iresnet18' } });
    ok.module.dispose();
  });
  test('a string no IOHandler understands', async () => {
    await expect(loadBackbone('just/a/folder')).rejects.toThrow(/No tfjs IOHandler can load "just\/a\/folder": .*@fr\/backbones\/node/);
  });
  test('artifacts API validates too', async () => {
    const artifacts = await backboneToArtifacts(saved.backbone);
    await expect(backboneFromArtifacts({ ...artifacts, weightSpecs: [] })).rejects.toThrow(/no weights manifest/);
  });
});
