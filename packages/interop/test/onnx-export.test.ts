/**
 * @fr → ONNX → onnxruntime-node: models imported from the PyTorch fixtures are exported (batch
 * norm folded and kept) and run in onnxruntime; embeddings must match torch's within 1e-4 after
 * L2-normalisation, for a batch size other than the exported example's (dynamic batch).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { backboneFromStateDict, createOnnxEmbedder, exportOnnx, readPth } from '@fr/interop';
import { decodeOnnx, toNumber } from '../src/onnx/onnx-proto.js';
import { decode, embeddingOf, fixture, inputNHWC, maxNormalizedDiff, reference } from './support/fixtures.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

const MODELS = ['iresnet', 'mobilefacenet', 'transface'] as const;

describe('exported ONNX runs in onnxruntime-node with the torch embeddings', () => {
  for (const name of MODELS) {
    for (const foldBatchNorm of [true, false]) {
      test(`${name}, batch norm ${foldBatchNorm ? 'folded' : 'kept'}`, async () => {
        const model = reference.models[name];
        const backbone = backboneFromStateDict(readPth(fixture(`${name}.pth`), `${name}.pth`), { options: name === 'transface' ? { heads: 2 } : {} });
        const bytes = exportOnnx(backbone, { foldBatchNorm, source: `${name}.pth` });
        const onnx = decodeOnnx(bytes, 'export');
        const ops = new Set(onnx.graph!.node!.map((n) => n.op_type));
        // Folding leaves only IResNet's batch norms that follow an add or start a block.
        expect(ops.has('BatchNormalization')).toBe(!foldBatchNorm || name === 'iresnet');
        expect(toNumber(onnx.opset_import![0]!.version)).toBe(17);
        const meta = Object.fromEntries(onnx.metadata_props!.map((p) => [p.key, p.value]));
        expect(meta).toMatchObject({ input_size: String(model.options.inputSize), input_layout: 'NCHW', color_order: 'rgb', mean: '127.5,127.5,127.5', std: '127.5,127.5,127.5', embedding_size: String(model.options.embeddingSize), architecture: model.architecture });
        expect(JSON.parse(meta['fr.config']!)).toEqual(backbone.config);
        expect(onnx.graph!.input![0]!.type!.tensor_type!.shape!.dim![0]).toMatchObject({ dim_param: 'batch' });

        const session = await createOnnxEmbedder(bytes, { inputSize: model.options.inputSize as number, threads: 1 });
        const nchw = decode(model.input);
        const batch = model.input.shape[0]!;
        const out = await session.embed(nchw, batch);
        const diff = maxNormalizedDiff(out, decode(model.embedding), batch);
        // One image alone (a different batch size than any example run).
        const single = await session.embed(nchw.subarray(0, nchw.length / batch), 1);
        const x = inputNHWC(model);
        const ours = embeddingOf(backbone, x);
        console.info(`[onnx-export] ${name} (BN ${foldBatchNorm ? 'folded' : 'kept'}): onnxruntime vs torch max |Δ| ${diff.toExponential(2)}, vs @fr ${maxNormalizedDiff(out, ours, batch).toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
        expect(maxNormalizedDiff(single, out.subarray(0, single.length), 1)).toBeLessThanOrEqual(1e-5);
        await session.release();
        tf.dispose(x);
        backbone.module.dispose();
      });
    }
  }
});
