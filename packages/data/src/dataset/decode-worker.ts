/**
 * Worker-thread entry of the prefetch pool: receives {@link BatchJob}s, answers
 * {@link BatchResult}s (the float buffer is transferred, not copied). Built by tsup as
 * `dist/decode-worker.js`; run from sources through tsx when the package is used unbuilt.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { decodeBatch, type BatchJob } from './decode-batch.js';
import { RecordFileCache } from './image-ref.js';

/** Messages from the pool to a worker. */
export type ToWorker = { readonly type: 'job'; readonly id: number; readonly job: BatchJob } | { readonly type: 'close' };

/** Messages from a worker to the pool. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: import('./decode-batch.js').BatchResult }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

const port = parentPort;
if (port) {
  const records = new RecordFileCache();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'close') {
      records.close();
      port.close();
      return;
    }
    decodeBatch(msg.job, records).then(
      (result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies FromWorker, [result.images.buffer as ArrayBuffer]),
      (e: unknown) => port.postMessage({ type: 'error', id: msg.id, message: errorMessage(e) } satisfies FromWorker),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
