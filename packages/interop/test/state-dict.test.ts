import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { createBackbone, torchStateDictLayout } from '@fr/backbones';
import { backboneFromStateDict, backboneToStateDict, inferArchitecture, readPth, readSafetensors, writePth, writeSafetensors } from '@fr/interop';
import { embeddingOf, fixture, inputNHWC, maxNormalizedDiff, reference, decode } from './support/fixtures.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const MODELS = ['iresnet', 'mobilefacenet', 'transface'] as const;

describe('torch.save / safetensors files from PyTorch import into @fr with the same embeddings', () => {
  for (const name of MODELS) {
    for (const format of ['pth', 'safetensors'] as const) {
      test(`${name}.${format}: architecture inferred from the keys, embeddings within 1e-4 of torch's`, () => {
        const model = reference.models[name];
        const file = `${name}.${format}`;
        const tensors = format === 'pth' ? readPth(fixture(file), file) : readSafetensors(fixture(file), file).tensors;
        // Heads are not in a ViT's weights (arcface_torch always uses 8); this tiny twin has 2.
        const backbone = backboneFromStateDict(tensors, { source: file, options: name === 'transface' ? { heads: 2 } : {} });
        expect(backbone.name).toBe(model.architecture);
        // The inferred config is the one the fixture was made with (drop-path and masking are
        // training settings, not in the weights).
        const { dropPathRate: _d, maskRatio: _m, ...shapeOptions } = model.options;
        expect(backbone.config).toMatchObject(shapeOptions);
        const x = inputNHWC(model);
        const diff = maxNormalizedDiff(embeddingOf(backbone, x), decode(model.embedding), x.shape[0]);
        console.info(`[state-dict] ${file} → @fr: max |Δ| of L2-normalised embeddings ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
        x.dispose();
        backbone.module.dispose();
      });
    }
  }

  test('.pth and .safetensors of one model hold the same tensors; our writers reproduce them byte for byte', () => {
    const fromPth = readPth(fixture('iresnet.pth'), 'iresnet.pth');
    const fromSt = readSafetensors(fixture('iresnet.safetensors'), 'iresnet.safetensors').tensors;
    expect([...fromPth.keys()]).toEqual([...fromSt.keys()]);
    for (const [k, t] of fromPth) {
      const s = fromSt.get(k)!;
      expect([t.dtype, t.shape], k).toEqual([s.dtype, s.shape]);
      expect(Buffer.compare(Buffer.from(t.bytes), Buffer.from(s.bytes)), k).toBe(0);
    }
    // Exported from @fr: the same names, shapes, dtypes and bytes as PyTorch's own file.
    const backbone = backboneFromStateDict(fromPth);
    const exported = backboneToStateDict(backbone);
    expect([...exported.keys()]).toEqual([...fromPth.keys()]);
    for (const [k, t] of exported) {
      const s = fromPth.get(k)!;
      expect([t.dtype, t.shape], k).toEqual([s.dtype, s.shape]);
      if (!k.endsWith('num_batches_tracked')) expect(Buffer.compare(Buffer.from(t.bytes), Buffer.from(s.bytes)), k).toBe(0);
    }
    const again = readPth(writePth(exported), 'ours.pth');
    const againSt = readSafetensors(writeSafetensors(exported, { format: 'pt' })).tensors;
    for (const [k, t] of exported) {
      expect(Buffer.compare(Buffer.from(again.get(k)!.bytes), Buffer.from(t.bytes)), k).toBe(0);
      expect(Buffer.compare(Buffer.from(againSt.get(k)!.bytes), Buffer.from(t.bytes)), k).toBe(0);
    }
    backbone.module.dispose();
  });

  test('inferArchitecture reads arcface_torch shapes at full size: r50, r100, mbf (scale 1), vit_t', () => {
    for (const [name, options, expected] of [
      ['iresnet50', {}, { architecture: 'iresnet50', options: { inputSize: 112, embeddingSize: 512, widthMultiplier: 1 } }],
      ['iresnet100', { embeddingSize: 256 }, { architecture: 'iresnet100', options: { inputSize: 112, embeddingSize: 256 } }],
      ['mobilefacenet', {}, { architecture: 'mobilefacenet', options: { blocks: [1, 4, 6, 2], inputSize: 112, widthMultiplier: 1 } }],
      ['vit_t', {}, { architecture: 'vit_t', options: { inputSize: 112, patchSize: 9, heads: 8 } }],
    ] as const) {
      const backbone = createBackbone(name, options, { shapeOnly: true });
      const shapes = new Map(torchStateDictLayout(backbone).map((e) => [e.torchKey, e.torchShape]));
      expect(inferArchitecture(shapes)).toMatchObject(expected);
      backbone.module.dispose();
    }
  });
});

describe('bad files get clear errors', () => {
  test('a truncated .pth names what is missing', () => {
    const bytes = fixture('iresnet.pth');
    expect(() => readPth(bytes.subarray(0, bytes.length - 100), 'cut.pth')).toThrow(/cut\.pth: .*truncated/);
    expect(() => readPth(bytes.subarray(0, Math.floor(bytes.length / 2)), 'half.pth')).toThrow(/half\.pth: no zip end-of-central-directory record: the file is truncated/);
    const st = fixture('iresnet.safetensors');
    expect(() => readSafetensors(st.subarray(0, st.length - 10), 'cut.safetensors')).toThrow(/cut\.safetensors: "[^"]+" ends at byte \d+ of the data but the file has \d+ \(truncated\?\)/);
    expect(() => readSafetensors(st.subarray(0, 6), 'tiny.safetensors')).toThrow(/too short/);
  });

  test('a corrupted record fails its CRC, naming it', () => {
    const bytes = fixture('mobilefacenet.pth').slice();
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff; // inside a tensor record
    expect(() => readPth(bytes, 'bad.pth')).toThrow(/bad\.pth: zip entry "mobilefacenet\/data\/\d+" is corrupted \(CRC-32 mismatch\)/);
  });

  test('the wrong architecture lists every mismatch', () => {
    const tensors = readPth(fixture('iresnet.pth'), 'iresnet.pth');
    expect(() => backboneFromStateDict(tensors, { architecture: 'iresnet34', options: { inputSize: 16, widthMultiplier: 1 / 32, embeddingSize: 16 }, source: 'iresnet.pth' }))
      .toThrow(/iresnet\.pth does not match iresnet34 .*\n {2}120 missing:\n {4}✖ "layer1\.2\.bn1\.weight" \[2\]/);
    expect(() => backboneFromStateDict(tensors, { architecture: 'iresnet18', options: { inputSize: 16, widthMultiplier: 1 / 16, embeddingSize: 16 }, source: 'iresnet.pth' }))
      .toThrow(/"conv1\.weight" has shape \[2, 3, 3, 3\], the architecture needs \[4, 3, 3, 3\]/);
    expect(() => backboneFromStateDict(tensors, { architecture: 'mobilefacenet', source: 'iresnet.pth' }))
      .toThrow(/iresnet\.pth does not match mobilefacenet .*\d+ unexpected:\n {4}✖ "conv1\.weight"/s);
    expect(() => backboneFromStateDict(new Map([['encoder.weight', tensors.get('conv1.weight')!]]), { source: 'other.pth' }))
      .toThrow(/cannot tell the architecture of other\.pth .*IResNet.*MobileFaceNet.*ViT/);
  });

  test('a dtype mismatch (float16 weights) is refused, naming the tensor; castFloats converts', () => {
    const tensors = readPth(fixture('transface-float16.pth'), 'transface-float16.pth');
    expect(tensors.get('pos_embed')!.dtype).toBe('float16');
    expect(() => backboneFromStateDict(tensors, { source: 'transface-float16.pth' }))
      .toThrow(/"pos_embed" is float16, expected float32 \(pass castFloats: true \/ --cast-floats to convert\)/);
    const backbone = backboneFromStateDict(tensors, { castFloats: true, options: { heads: 2 } });
    const model = reference.models.transface;
    const x = inputNHWC(model);
    // Half precision rounds the weights: close to the float32 model, not equal.
    const diff = maxNormalizedDiff(embeddingOf(backbone, x), decode(model.embedding), 2);
    expect(diff).toBeLessThan(0.05);
    expect(diff).toBeGreaterThan(0);
    tf.dispose(x);
    backbone.module.dispose();
  });
});
