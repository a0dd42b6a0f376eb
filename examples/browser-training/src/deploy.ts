/**
 * The deploy page: a model exported by `fr-export` (ONNX + tfjs GraphModel), used with no @fr code
 * at all — onnxruntime-web runs the ONNX file, plain tfjs (`@tensorflow/tfjs-converter` on the wasm
 * backend) runs the GraphModel — on one face image. Both embeddings are shown, with their cosine.
 *
 * URL options: `onnx` (default `model.onnx`), `graph` (default `web/model.json`), `image` (default
 * `face.png`: an aligned face crop; it is scaled to the model's input size).
 */
import * as ort from 'onnxruntime-web/wasm';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { DeployResult } from './deploy-result.js';

declare global {
  interface Window {
    __frDeploy?: DeployResult;
  }
}

const started = performance.now();
const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const params = new URLSearchParams(location.search);
const here = new URL('./', import.meta.url).href;

function finish(result: Omit<DeployResult, 'seconds'>): void {
  window.__frDeploy = { ...result, seconds: (performance.now() - started) / 1000 };
  const status = $('status');
  status.textContent = result.ok ? `done: cosine(onnxruntime-web, tfjs) = ${result.cosine.toFixed(6)}` : `failed: ${result.error}`;
  status.dataset.ok = String(result.ok);
  status.dataset.done = 'true';
}

function normalize(v: Float32Array): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return Array.from(v, (x) => x / n);
}

async function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}

async function run(): Promise<void> {
  // The GraphModel carries the preprocessing contract in its metadata.
  setWasmPaths(here);
  await tf.setBackend('wasm');
  const graph = await loadGraphModel(new URL(params.get('graph') ?? 'web/model.json', location.href).href);
  const contract = ((graph.metadata ?? {}) as { fr?: Record<string, string> }).fr ?? {};
  const size = Number(contract.input_size ?? graph.inputs[0]?.shape?.[1]);
  const mean = (contract.mean ?? '127.5,127.5,127.5').split(',').map(Number);
  const std = (contract.std ?? '127.5,127.5,127.5').split(',').map(Number);
  const bgr = contract.color_order === 'bgr';
  $('contract').textContent = `${size}×${size}, ${bgr ? 'BGR' : 'RGB'}, (x − ${mean[0]}) / ${std[0]}, ${contract.embedding_size ?? '?'}-d (${contract.architecture ?? 'unknown architecture'})`;

  // The face, scaled to the input size on a canvas.
  const img = await loadImage(new URL(params.get('image') ?? 'face.png', location.href).href);
  const canvas = $('face') as HTMLCanvasElement;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  g.drawImage(img, 0, 0, size, size);
  const rgba = g.getImageData(0, 0, size, size).data;
  const nhwc = new Float32Array(size * size * 3);
  const nchw = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) {
      const v = ((rgba[p * 4 + (bgr ? 2 - c : c)] as number) - (mean[c] as number)) / (std[c] as number);
      nhwc[p * 3 + c] = v;
      nchw[c * size * size + p] = v;
    }
  }

  const graphOut = tf.tidy(() => (graph.predict(tf.tensor4d(nhwc, [1, size, size, 3])) as tf.Tensor).dataSync() as Float32Array);

  ort.env.wasm.wasmPaths = here;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(new URL(params.get('onnx') ?? 'model.onnx', location.href).href, { executionProviders: ['wasm'] });
  const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', nchw, [1, 3, size, size]) };
  const onnxOut = (await session.run(feeds))[session.outputNames[0] as string]!.data as Float32Array;

  const a = normalize(onnxOut);
  const b = normalize(graphOut);
  const cosine = a.reduce((s, x, i) => s + x * (b[i] as number), 0);
  const show = (v: number[]) => `[${v.slice(0, 8).map((x) => x.toFixed(4)).join(', ')}, …] (${v.length}-d)`;
  $('onnx').textContent = show(a);
  $('graph').textContent = show(b);
  $('cosine').textContent = cosine.toFixed(6);
  finish({ ok: true, inputSize: size, embeddingSize: a.length, onnx: a, graph: b, cosine, pixels: Array.from(nhwc) });
}

run().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  $('error').textContent = error instanceof Error ? (error.stack ?? message) : message;
  finish({ ok: false, error: message, inputSize: 0, embeddingSize: 0, onnx: [], graph: [], cosine: NaN, pixels: [] });
});
