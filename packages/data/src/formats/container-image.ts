/** What goes into a `.rec` or `.bin` for one image: plain 8-bit RGB JPEG, as insightface stores. */
import { decodeImage } from '../image/decode.js';
import { encodeJpeg } from '../image/jpeg-encoder.js';
import { probeImage } from '../image/probe.js';
import { fitSquare, type ResizePolicy } from '../image/resize.js';

export interface ContainerImageOptions {
  /** Fit every image to `size × size` (re-encoding those of another size). */
  readonly size?: number;
  /** How `size` is reached for other sizes (default `stretch`). */
  readonly resize?: ResizePolicy;
  /** JPEG quality when (re-)encoding (default 95, insightface's `pack_img` default). */
  readonly quality?: number;
  /** Re-encode even images that could be kept. */
  readonly reencode?: boolean;
  /** `header` (default): kept JPEGs are checked structurally; `decode`: fully decoded too. */
  readonly check?: 'header' | 'decode';
}

/**
 * The bytes to store for one image: the original file when it is already an 8-bit RGB JPEG of
 * the right size (byte for byte, so nothing is lost), otherwise the decoded image — fitted to
 * `size` when given — encoded as JPEG. Grey and CMYK JPEGs, PNG and PGM are re-encoded as RGB
 * JPEG so that every reader (MXNet, DALI, this package) sees 3 channels. Throws a `DataError`
 * naming `file` for a bad image.
 *
 * @example
 * ```ts
 * const bytes = encodeForContainer(readFileSync('s1/1.png'), 's1/1.png', { size: 112 });
 * ```
 */
export function encodeForContainer(bytes: Uint8Array, file: string, options: ContainerImageOptions = {}): Uint8Array {
  const info = probeImage(bytes, file);
  const rightSize = options.size === undefined || (info.width === options.size && info.height === options.size);
  if (!options.reencode && info.format === 'jpeg' && info.conversions.length === 0 && rightSize) {
    if (options.check === 'decode') decodeImage(bytes, { file });
    return bytes;
  }
  const image = decodeImage(bytes, { file });
  const fitted = options.size === undefined ? image : fitSquare(image, options.size, options.resize ?? 'stretch');
  return encodeJpeg(fitted, options.quality ?? 95);
}
