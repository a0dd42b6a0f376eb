/**
 * The page script: picks a backend, builds a small MobileFaceNet + full FC + ArcFace over synthetic
 * identities, runs a few steps of the @fr trainer, and shows everything on the page.
 *
 * URL options: `backend` (auto | webgpu | wasm | cpu, default auto), `steps` (8), `batch` (16),
 * `size` (input side, 32), `threads` (wasm threads, default 1; more needs a cross-origin isolated
 * page, which `npm run serve` provides).
 *
 * Backends: a browser app imports the backend packages it uses (a bundler cannot follow the
 * run-time imports @fr/core makes in Node). wasm (and cpu, which it brings) is imported here;
 * webgpu is imported on demand, into its own chunk, only where the browser has WebGPU.
 *
 * WebGPU reports invalid work (e.g. a shader that exceeds a device limit) as an asynchronous
 * `uncapturederror` event, not an exception: the numbers read back are then zeros. The webgpu
 * provider collects those events and the trainer stops the step with the first message, which
 * the page shows as its failure.
 */
import '@fr/backend-wasm';
import { backendCapabilities, createTrainer, fullFC, Rng, selectBackend, syntheticIdentities, tf, type BackendInfo } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { AdapterReport, CapabilitiesReport, PageResult, StepRow } from './result.js';

declare global {
  interface Window {
    /** Set once the run ends (success or failure). */
    __frResult?: PageResult;
  }
}

/** The parts of WebGPU's `navigator.gpu` read here (TypeScript's DOM lib has only some of its types, e.g. no `adapter.info`). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<{ info?: GpuAdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}

const started = performance.now();
const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
};
const statusEl = $('status');

const params = new URLSearchParams(location.search);
const intParam = (name: string, fallback: number, min: number, max: number): number => {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`?${name}=${raw}: expected an integer in [${min}, ${max}]`);
  return v;
};

const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
let finished = false;
let partial: Partial<PageResult> = {};

function setStatus(text: string, attrs: Record<string, string> = {}): void {
  statusEl.textContent = text;
  for (const [k, v] of Object.entries(attrs)) statusEl.dataset[k] = v;
}

function fail(error: unknown): void {
  if (finished) return;
  finished = true;
  // V8's stack starts with "Name: message".
  const text = error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : String(error);
  const message = error instanceof Error ? error.message : String(error);
  $('error').textContent = text;
  setStatus(`failed: ${message}`, { done: 'true', ok: 'false', error: message, backend: partial.backend ?? '' });
  console.error('[fr-example] failed:', error);
  window.__frResult = {
    ok: false,
    backend: null,
    requested: '',
    facts: {},
    capabilities: null,
    skipped: [],
    adapter: { available: false, reason: 'not probed' },
    wasmThreads: null,
    crossOriginIsolated,
    requestedSteps: 0,
    batchSize: 0,
    inputSize: 0,
    parameters: 0,
    steps: [],
    trainSeconds: 0,
    error: message,
    ...partial,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

window.addEventListener('error', (e) => fail(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => fail(e.reason));

/** What the browser's WebGPU offers, independent of whether @fr used it. */
async function describeOfferedAdapter(): Promise<AdapterReport> {
  if (!gpu) return { available: false, reason: 'navigator.gpu is undefined (WebGPU disabled, unsupported, or not a secure context)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned null' };
    const info = adapter.info ?? {};
    return {
      available: true,
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
    };
  } catch (error) {
    return { available: false, reason: `requestAdapter() failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** What method code would ask of this backend, and a check that its `readsSync` claim holds. */
function checkCapabilities(): CapabilitiesReport {
  const { backend, known, readsSync } = backendCapabilities();
  let syncReadWorks: boolean | null = null;
  if (readsSync) {
    // Large enough to be computed on the device (webgpu hands tiny host-side inputs to its cpu path).
    const values = tf.tidy(() => tf.add(tf.ones([4096]), 1).dataSync());
    syncReadWorks = values.length === 4096 && values.every((v) => v === 2);
  }
  return { backend, known, readsSync, syncReadWorks };
}

function showBackend(info: BackendInfo, wasmThreads: number | null, capabilities: CapabilitiesReport): void {
  $('backend-chosen').textContent = info.name;
  const facts = Object.entries(info.facts).map(([k, v]) => `${k}=${v}`);
  if (wasmThreads !== null) facts.push(`threads=${wasmThreads}`, `crossOriginIsolated=${crossOriginIsolated}`);
  facts.push(`readsSync=${capabilities.readsSync}${capabilities.syncReadWorks === null ? '' : ` (dataSync ${capabilities.syncReadWorks ? 'works' : 'FAILED'})`}`);
  $('backend-facts').textContent = facts.join(' ') || '—';
  const list = $('skipped');
  list.replaceChildren();
  for (const s of info.skipped) {
    const li = document.createElement('li');
    li.textContent = `${s.backend}: ${s.reason}`;
    list.append(li);
  }
  if (info.skipped.length === 0) {
    const li = document.createElement('li');
    li.textContent = info.requested === 'auto' ? 'nothing: the first candidate worked' : `nothing: "${info.name}" was asked for by name`;
    list.append(li);
  }
}

function showAdapter(report: AdapterReport): void {
  $('adapter').textContent = report.available
    ? `vendor=${report.vendor || '""'} architecture=${report.architecture || '""'} device=${report.device || '""'} description=${report.description || '""'} isFallbackAdapter=${report.isFallbackAdapter}`
    : `none: ${report.reason}`;
}

function addStepRow(row: StepRow): void {
  const tr = document.createElement('tr');
  tr.dataset.step = String(row.step);
  for (const cell of [
    String(row.step),
    row.loss.toFixed(4),
    row.imagesPerSecond.toFixed(1),
    (row.stepSeconds * 1000).toFixed(0),
    row.gradNorm.toFixed(3),
    row.lr.toPrecision(3),
    String(row.numTensors),
  ]) {
    const td = document.createElement('td');
    td.textContent = cell;
    tr.append(td);
  }
  $('steps').querySelector('tbody')?.append(tr);
}

async function run(): Promise<void> {
  const requested = (params.get('backend') ?? 'auto').trim().toLowerCase();
  const steps = intParam('steps', 8, 1, 1000);
  const batchSize = intParam('batch', 16, 2, 256);
  const inputSize = intParam('size', 32, 16, 112);
  const threads = intParam('threads', 1, 1, 64);
  partial = { requested, requestedSteps: steps, batchSize, inputSize };
  $('backend-requested').textContent = requested;
  setStatus('selecting the backend…', { done: 'false', state: 'backend' });

  // The webgpu backend package registers its provider on import: load it (a separate chunk) only
  // when the browser has WebGPU and webgpu may be chosen. If the chunk fails to load, selectBackend
  // says webgpu is not imported and `auto` goes on to wasm.
  if (gpu && (requested === 'auto' || requested === 'webgpu')) {
    await import('@fr/backend-webgpu').catch((error: unknown) => console.warn('[fr-example] could not load @fr/backend-webgpu:', error));
  }

  const info = await selectBackend(requested, {
    // The wasm binaries are copied next to the bundle.
    wasmPaths: new URL('./', import.meta.url).href,
    threads,
    log: (line) => console.info(line),
  });
  // tfjs' own count: @fr's `threads` fact repeats the request.
  const wasmThreads = info.name === 'wasm' ? getThreadsCount() : null;
  const capabilities = checkCapabilities();
  showBackend(info, wasmThreads, capabilities);
  const adapter = await describeOfferedAdapter();
  showAdapter(adapter);
  partial = { ...partial, backend: info.name, facts: info.facts, capabilities, skipped: info.skipped, adapter, wasmThreads };

  // A small MobileFaceNet (width ¼, 64-d embedding) + full FC + ArcFace over synthetic identities.
  setStatus(`building the model on ${info.name}…`, { state: 'build', backend: info.name });
  const numClasses = 16;
  const embeddingSize = 64;
  const dataset = syntheticIdentities({ numClasses, imagesPerClass: 4, inputSize, seed: 7 });
  const backbone = createBackbone('mobilefacenet', { inputSize, widthMultiplier: 0.25, embeddingSize }, { rng: Rng.fromSeed(1).fork('backbone') });
  const centers = fullFC({ numClasses, embeddingSize, seed: 3 });
  const margin = arcface({ s: 64, m: 0.5 });
  const trainer = createTrainer({
    backbone,
    centers,
    margin,
    dataset,
    config: {
      batchSize,
      steps,
      seed: 2,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
      log: { progress: false },
    },
  });
  $('model-composition').textContent = `mobilefacenet(inputSize ${inputSize}, width 0.25, embedding ${embeddingSize}) → fullFC(${numClasses} classes) → arcface(s 64, m 0.5); SGD lr 0.1, momentum 0.9`;
  $('model-parameters').textContent = trainer.parameterCount.toLocaleString('en');
  $('model-data').textContent = `syntheticIdentities: ${numClasses} identities × 4 images, ${inputSize}×${inputSize}, batch ${batchSize}, ${steps} steps`;
  partial = { ...partial, parameters: trainer.parameterCount };

  const rows: StepRow[] = [];
  let trainSeconds = 0;
  trainer.on('step', (e) => {
    const row: StepRow = { step: e.step, loss: e.loss, imagesPerSecond: e.imagesPerSecond, stepSeconds: e.stepSeconds, gradNorm: e.gradNorm, lr: e.lr, numTensors: tf.memory().numTensors };
    rows.push(row);
    addStepRow(row);
    setStatus(`training on ${info.name}: step ${e.step + 1}/${steps}, loss ${e.loss.toFixed(4)}`, { state: 'train', steps: String(rows.length) });
    partial = { ...partial, steps: rows };
  });
  trainer.on('end', (e) => {
    trainSeconds = e.seconds;
  });
  setStatus(`training on ${info.name}…`, { state: 'train', steps: '0' });
  try {
    // A WebGPU device error during a step makes fit() reject, naming the error.
    await trainer.fit({ handleSigint: false });
  } finally {
    trainer.dispose();
    centers.dispose?.();
    backbone.module.dispose();
  }

  const last = rows[rows.length - 1];
  const warm = rows.slice(1);
  const meanIps = warm.length > 0 ? warm.reduce((a, r) => a + r.imagesPerSecond, 0) / warm.length : last?.imagesPerSecond ?? 0;
  finished = true;
  setStatus(
    `done: ${rows.length} steps on ${info.name} in ${trainSeconds.toFixed(1)} s, final loss ${last?.loss.toFixed(4)}, ${meanIps.toFixed(1)} images/s after the first step`,
    { done: 'true', ok: 'true', state: 'done', backend: info.name, steps: String(rows.length), finalLoss: String(last?.loss ?? '') },
  );
  window.__frResult = {
    ok: true,
    backend: info.name,
    requested,
    facts: info.facts,
    capabilities,
    skipped: info.skipped,
    adapter,
    wasmThreads,
    crossOriginIsolated,
    requestedSteps: steps,
    batchSize,
    inputSize,
    parameters: trainer.parameterCount,
    steps: rows,
    trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    error: null,
  };
}

run().catch(fail);
