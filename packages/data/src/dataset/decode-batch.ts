/**
 * Decoding one batch: read → decode → resize/crop → flip → normalise into one Float32Array.
 * Runs in a worker thread or, as the fallback, in the calling thread; it imports nothing that
 * needs tfjs so workers start fast.
 */
import { alignFace } from '../align/align-face.js';
import type { Point } from '../align/template.js';
import { DataError, dataError, errorMessage, type DataIssue } from '../errors.js';
import { decodeImageAsync, type DecoderChoice } from '../image/decode.js';
import { writeSample, type ColorOrder, type Normalization } from '../image/normalize.js';
import type { ResizePolicy } from '../image/resize.js';
import type { ColorConversion } from '../image/types.js';
import { readRef, refId, type ImageRef, type RecordFileCache } from './image-ref.js';

/** How every image of a batch is turned into floats. Plain data (posted to workers). */
export interface PreprocessOptions {
  readonly inputSize: number;
  readonly resize: ResizePolicy;
  readonly normalization: Normalization;
  readonly colorOrder: ColorOrder;
  readonly decoder: DecoderChoice;
  readonly rejectConversions: readonly ColorConversion[];
  /** Side of the ArcFace-aligned crop made before resizing to `inputSize`, for images that have landmarks (default 112). */
  readonly alignSize?: number;
}

/** One unit of work. */
export interface BatchJob {
  readonly refs: readonly ImageRef[];
  /** 1 = mirror the image (same length as `refs`), or omitted for none. */
  readonly flips?: Uint8Array;
  /** Five landmarks per image (`[x0, y0, …, x4, y4]`, image pixels) to align it first, or null; omitted for none. */
  readonly landmarks?: readonly (readonly number[] | null)[];
  readonly options: PreprocessOptions;
}

/** The decoded batch; failed slots are left as zeros and listed in `failures`. */
export interface BatchResult {
  /** `refs.length · S · S · 3` floats, NHWC. */
  readonly images: Float32Array;
  readonly failures: readonly { readonly index: number; readonly issue: DataIssue }[];
  /** For `.rec` refs: the class in each record's header (NaN for other refs). */
  readonly recordLabels: Float64Array;
  /** How many images needed each conversion. */
  readonly conversions: Partial<Record<ColorConversion, number>>;
}

function asIssue(e: unknown, ref: ImageRef): DataIssue {
  if (e instanceof DataError) return e.issue;
  const id = refId(ref);
  return dataError('corrupt', id, `cannot decode image (${errorMessage(e)}): ${id}`).issue;
}

function toPoints(flat: readonly number[]): Point[] {
  const points: Point[] = [];
  for (let k = 0; k + 1 < flat.length; k += 2) points.push([flat[k] as number, flat[k + 1] as number]);
  return points;
}

/**
 * Decodes a batch. Reads are started together (the OS overlaps them); decoding is sequential.
 *
 * @example
 * ```ts
 * const r = await decodeBatch({ refs: [{ kind: 'file', path }], options }, new RecordFileCache());
 * ```
 */
export async function decodeBatch(job: BatchJob, records: RecordFileCache): Promise<BatchResult> {
  const { refs, flips, options } = job;
  const sampleSize = options.inputSize * options.inputSize * 3;
  const images = new Float32Array(refs.length * sampleSize);
  const failures: { index: number; issue: DataIssue }[] = [];
  const recordLabels = new Float64Array(refs.length).fill(Number.NaN);
  const conversions: Partial<Record<ColorConversion, number>> = {};
  const reads = refs.map((ref) => readRef(ref, records).then((r) => ({ ok: true as const, ...r }), (e: unknown) => ({ ok: false as const, error: e })));
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as ImageRef;
    const read = await (reads[i] as (typeof reads)[number]);
    if (!read.ok) {
      failures.push({ index: i, issue: asIssue(read.error, ref) });
      continue;
    }
    if (read.recordLabel !== undefined) recordLabels[i] = read.recordLabel;
    try {
      const decoded = await decodeImageAsync(read.bytes, { file: refId(ref), decoder: options.decoder, rejectConversions: options.rejectConversions });
      for (const c of decoded.info.conversions) conversions[c] = (conversions[c] ?? 0) + 1;
      const points = job.landmarks?.[i];
      // Aligned at the template's own size, then resized like any image: the same pixels as
      // loading a copy that `fr-data align` wrote (less its JPEG re-encoding).
      const image = points ? alignFace(decoded, toPoints(points), { size: options.alignSize ?? 112 }) : decoded;
      writeSample(image, images, i * sampleSize, {
        inputSize: options.inputSize,
        resize: options.resize,
        normalization: options.normalization,
        colorOrder: options.colorOrder,
        flip: flips?.[i] === 1,
      });
    } catch (e) {
      failures.push({ index: i, issue: asIssue(e, ref) });
    }
  }
  return { images, failures, recordLabels, conversions };
}
