/**
 * Checking examples before training, so bad files are left out of the plan up front (under the
 * `skip` policy) instead of shrinking batches later.
 */
import { DataError, dataError, errorMessage, type DataIssue } from '../errors.js';
import { checkConversions, decodeImage, type DecodeOptions } from '../image/decode.js';
import { probeImage } from '../image/probe.js';
import type { ColorConversion } from '../image/types.js';
import { readRef, refId, RecordFileCache, type ImageRef } from './image-ref.js';

/**
 * `none`: trust the files (problems surface when a batch is decoded);
 * `header` (default for folders): read every file and check its header and structure — catches
 * non-images, truncation, unsupported variants and rejected conversions, at I/O speed;
 * `decode`: fully decode every file (also catches corrupt compressed data; as slow as one epoch).
 */
export type ValidationMode = 'none' | 'header' | 'decode';

/** What validation found: an issue per bad example (or undefined), and conversion counts. */
export interface ValidationResult {
  readonly issues: readonly (DataIssue | undefined)[];
  readonly conversions: Partial<Record<ColorConversion, number>>;
}

/**
 * Validates every ref (reads with bounded concurrency).
 *
 * @example
 * ```ts
 * const { issues } = await validateRefs(refs, 'header', { rejectConversions: ['cmyk'] });
 * ```
 */
export async function validateRefs(refs: readonly ImageRef[], mode: ValidationMode, options: Pick<DecodeOptions, 'rejectConversions'> = {}, concurrency = 16): Promise<ValidationResult> {
  const issues: (DataIssue | undefined)[] = new Array<DataIssue | undefined>(refs.length).fill(undefined);
  const conversions: Partial<Record<ColorConversion, number>> = {};
  if (mode === 'none') return { issues, conversions };
  const records = new RecordFileCache();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const i = next++;
      const ref = refs[i] as ImageRef;
      const file = refId(ref);
      try {
        const { bytes } = await readRef(ref, records);
        const info = mode === 'decode' ? decodeImage(bytes, { file, rejectConversions: options.rejectConversions }).info : probeImage(bytes, file);
        if (mode === 'header') checkConversions(info, file, options.rejectConversions);
        for (const c of info.conversions) conversions[c] = (conversions[c] ?? 0) + 1;
      } catch (e) {
        issues[i] = e instanceof DataError ? e.issue : dataError('unreadable', file, `cannot check image (${errorMessage(e)}): ${file}`).issue;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    records.close();
  }
  return { issues, conversions };
}
