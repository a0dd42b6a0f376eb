/**
 * ONNX → @fr: graphs written by `torch.onnx.export` (batch norm folded into the convs, or kept,
 * PReLU as PRelu or as relu(x) − a·relu(−x)) and by our own exporter import into trainable @fr
 * backbones with the torch embeddings; unsupported graphs name the node they cannot map.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Rng, selectBackend, tf } from '@fr/core';
import { backboneFromStateDict, exportOnnx, importOnnx, readPth } from '@fr/interop';
import { decodeOnnx, encodeOnnx } from '../src/onnx/onnx-proto.js';
import { decode, embeddingOf, fixture, inputNHWC, maxNormalizedDiff, reference } from './support/fixtures.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

describe('ONNX from torch.onnx.export imports with the torch embeddings', () => {
  for (const [file, name] of [['iresnet.onnx', 'iresnet'], ['mobilefacenet.onnx', 'mobilefacenet'], ['mobilefacenet-unfolded.onnx', 'mobilefacenet']] as const) {
    test(`${file}: architecture inferred from the graph, max |Δ| ≤ 1e-4`, () => {
      const model = reference.models[name];
      const backbone = importOnnx(fixture(file), { source: file });
      expect(backbone.name).toBe(model.architecture);
      expect(backbone.config).toMatchObject(model.options);
      const x = inputNHWC(model);
      const diff = maxNormalizedDiff(embeddingOf(backbone, x), decode(model.embedding), x.shape[0]);
      console.info(`[onnx-import] ${file} → @fr: max |Δ| ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-4);
      tf.dispose(x);
      backbone.module.dispose();
    });
  }

  test('iresnet-torch2onnx.onnx (torch2onnx.py: opset 11, batch 1; equal PReLU slopes shared through Identity nodes) imports', () => {
    const model = reference.models['iresnet-torch2onnx'];
    const bytes = fixture('iresnet-torch2onnx.onnx');
    const onnx = decodeOnnx(bytes, 'iresnet-torch2onnx.onnx');
    // What the test is about: the exporter deduplicated the slopes, so PRelu reads an Identity's output.
    const identities = new Set(onnx.graph!.node!.filter((n) => n.op_type === 'Identity').flatMap((n) => n.output!));
    expect(onnx.graph!.node!.some((n) => n.op_type === 'PRelu' && identities.has(n.input![1]!))).toBe(true);
    const backbone = importOnnx(bytes, { source: 'iresnet-torch2onnx.onnx' });
    expect(backbone.config).toMatchObject(model.options);
    expect(Array.from(backbone.module.stateDict().get('layer1.0.prelu.alpha')!.dataSync())).toEqual([0.25, 0.25]);
    const x = inputNHWC(model);
    expect(maxNormalizedDiff(embeddingOf(backbone, x), decode(model.embedding), x.shape[0])).toBeLessThanOrEqual(1e-4);
    tf.dispose(x);
    backbone.module.dispose();
  });

  test('a folded batch norm comes back as an identity-statistics BN that trains (batch statistics change the output)', () => {
    const backbone = importOnnx(fixture('iresnet.onnx'), { source: 'iresnet.onnx' });
    const state = backbone.module.stateDict();
    // bn2 of block layer1.0 was folded into conv1 by the exporter: μ = 0, σ² = 1, γ = √(1+ε).
    expect(Array.from(state.get('layer1.0.bn2.runningMean')!.dataSync())).toEqual([0, 0]);
    expect(Array.from(state.get('layer1.0.bn2.runningVar')!.dataSync())).toEqual([1, 1]);
    expect(state.get('layer1.0.bn2.gamma')!.dataSync()[0]).toBeCloseTo(Math.sqrt(1 + 1e-5), 7);
    // bn1 of that block was not foldable (it precedes the conv): its statistics are the file's.
    expect(Array.from(state.get('layer1.0.bn1.runningVar')!.dataSync()).some((v) => v !== 1)).toBe(true);
    const model = reference.models.iresnet;
    const x = inputNHWC(model);
    const evalOut = embeddingOf(backbone, x);
    const trainOut = tf.tidy(() => backbone.forward(x, { training: true, rng: Rng.fromSeed(0) }).embedding.dataSync());
    expect(maxNormalizedDiff(evalOut, trainOut, 2)).toBeGreaterThan(1e-3);
    tf.dispose(x);
    backbone.module.dispose();
  });
});

describe('PReLU in its other exported forms', () => {
  /** Rewrites every PRelu(x, a) of a torch export into another form computing the same thing. */
  function rewritePrelus(form: 'where' | 'add-neg' | 'leaky'): Uint8Array {
    const onnx = decodeOnnx(fixture('mobilefacenet.onnx'), 'mobilefacenet.onnx');
    const graph = onnx.graph!;
    graph.initializer!.push({ name: 'zero', dims: [], data_type: 1, raw_data: new Uint8Array(4) });
    const nodes: NonNullable<typeof graph.node> = [];
    for (const n of graph.node!) {
      if (n.op_type !== 'PRelu') {
        nodes.push(n);
        continue;
      }
      const [x, a] = n.input as [string, string];
      const y = n.output![0]!;
      const t = (suffix: string) => `${n.name}/${suffix}`;
      if (form === 'where') {
        nodes.push({ name: t('gt'), op_type: 'Greater', input: [x, 'zero'], output: [t('gt')] });
        nodes.push({ name: t('mul'), op_type: 'Mul', input: [x, a], output: [t('mul')] });
        nodes.push({ name: t('where'), op_type: 'Where', input: [t('gt'), x, t('mul')], output: [y] });
      } else if (form === 'add-neg') {
        nodes.push({ name: t('pos'), op_type: 'Relu', input: [x], output: [t('pos')] });
        nodes.push({ name: t('neg'), op_type: 'Neg', input: [x], output: [t('neg')] });
        nodes.push({ name: t('negrelu'), op_type: 'Relu', input: [t('neg')], output: [t('negrelu')] });
        nodes.push({ name: t('mul'), op_type: 'Mul', input: [t('negrelu'), a], output: [t('mul')] });
        nodes.push({ name: t('flip'), op_type: 'Neg', input: [t('mul')], output: [t('flip')] });
        nodes.push({ name: t('add'), op_type: 'Add', input: [t('pos'), t('flip')], output: [y] });
      } else {
        nodes.push({ name: t('leaky'), op_type: 'LeakyRelu', input: [x], output: [y], attribute: [{ name: 'alpha', type: 1, f: 0.125 }] });
      }
    }
    graph.node = nodes;
    return encodeOnnx(onnx);
  }

  for (const form of ['where', 'add-neg'] as const) {
    test(`${form}: same embeddings as torch`, () => {
      const model = reference.models.mobilefacenet;
      const backbone = importOnnx(rewritePrelus(form), { source: `${form}.onnx` });
      const x = inputNHWC(model);
      expect(maxNormalizedDiff(embeddingOf(backbone, x), decode(model.embedding), 2)).toBeLessThanOrEqual(1e-4);
      tf.dispose(x);
      backbone.module.dispose();
    });
  }

  test('LeakyRelu becomes a PReLU with its slope in every channel', () => {
    const backbone = importOnnx(rewritePrelus('leaky'), { source: 'leaky.onnx' });
    const alpha = backbone.module.stateDict().get('layers.0.prelu.alpha')!;
    expect(Array.from(alpha.dataSync())).toEqual([0.125, 0.125, 0.125, 0.125]);
    backbone.module.dispose();
  });
});

describe('@fr → ONNX → @fr', () => {
  for (const name of ['iresnet', 'mobilefacenet'] as const) {
    for (const foldBatchNorm of [true, false]) {
      test(`${name}, batch norm ${foldBatchNorm ? 'folded' : 'kept'}: same embeddings, config from the metadata`, () => {
        const model = reference.models[name];
        const original = backboneFromStateDict(readPth(fixture(`${name}.pth`), `${name}.pth`));
        const bytes = exportOnnx(original, { foldBatchNorm });
        const back = importOnnx(bytes, { source: 'exported.onnx' });
        expect(back.config).toEqual(original.config);
        const x = inputNHWC(model);
        const diff = maxNormalizedDiff(embeddingOf(back, x), embeddingOf(original, x), x.shape[0]);
        expect(diff).toBeLessThanOrEqual(1e-5);
        // Without the metadata the graph alone says the same.
        const onnx = decodeOnnx(bytes, 'x');
        onnx.metadata_props = [];
        const inferred = importOnnx(encodeOnnx(onnx), { source: 'bare.onnx' });
        expect(inferred.config).toMatchObject(model.options);
        tf.dispose(x);
        for (const b of [original, back, inferred]) b.module.dispose();
      });
    }
  }
});

describe('unsupported graphs name the node they cannot map', () => {
  test('an op with no @fr counterpart', () => {
    const onnx = decodeOnnx(fixture('iresnet.onnx'), 'iresnet.onnx');
    const node = onnx.graph!.node!.find((n) => n.op_type === 'PRelu')!;
    node.op_type = 'Selu';
    expect(() => importOnnx(encodeOnnx(onnx), { source: 'odd.onnx' }))
      .toThrow(/odd\.onnx: node "\/net\/prelu\/PRelu" \(op Selu\) has no @fr counterpart/);
  });

  test('a graph that is not the architecture asked for names the first node that differs', () => {
    expect(() => importOnnx(fixture('iresnet.onnx'), { source: 'iresnet.onnx', architecture: 'iresnet18', options: { inputSize: 16, widthMultiplier: 1 / 16, embeddingSize: 16 } }))
      .toThrow(/iresnet\.onnx: node "\/net\/conv1\/Conv" \(op Conv\): is a 3×3 conv .*3→2\), but @fr layer "conv1" is 3×3, stride 1, pad 1, group 1, 3→4/);
    expect(() => importOnnx(fixture('mobilefacenet.onnx'), { source: 'mfn.onnx', architecture: 'iresnet18', options: { inputSize: 16, widthMultiplier: 1 / 16 } }))
      .toThrow(/mfn\.onnx: node "[^"]+" \(op Conv\): is a 3×3 conv \(stride 2/);
  });

  test('a ViT export is refused for import with the way to do it', () => {
    const backbone = backboneFromStateDict(readPth(fixture('transface.pth'), 'transface.pth'), { options: { heads: 2 } });
    expect(() => importOnnx(exportOnnx(backbone), { source: 'vit.onnx' })).toThrow(/vit\.onnx: ONNX import maps IResNet and MobileFaceNet graphs; import a ViT \(transface_s\) from its state dict/);
    backbone.module.dispose();
  });

  test('a truncated file', () => {
    const bytes = fixture('iresnet.onnx');
    expect(() => importOnnx(bytes.subarray(0, bytes.length / 2), { source: 'cut.onnx' })).toThrow(/cut\.onnx: not a readable ONNX model .*truncated\?/);
  });
});
