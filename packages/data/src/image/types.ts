/** Image types shared by the decoders, the resize/normalise step and alignment. */

/** The container formats this package decodes. */
export type ImageFormat = 'jpeg' | 'png' | 'pgm' | 'ppm';

/**
 * A conversion needed to turn a decoded image into 8-bit RGB:
 * `grey` (1 channel expanded to 3), `alpha` (alpha channel dropped), `palette` (indexed colour
 * expanded), `cmyk` (CMYK or YCCK JPEG converted), `16-bit` (16-bit samples scaled to 8 bits),
 * `low-bit-depth` (1/2/4-bit samples, or a PGM maxval below 255, scaled to 8 bits).
 */
export type ColorConversion = 'grey' | 'alpha' | 'palette' | 'cmyk' | '16-bit' | 'low-bit-depth';

/** An 8-bit RGB image, row-major interleaved (`data.length === width·height·3`). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** What the file holds, read from its header without decoding the pixels. */
export interface ImageInfo {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Channels stored in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK; palette PNGs report 1). */
  readonly channels: number;
  /** Bits per sample in the file (8 or 16; PNG may also have 1, 2 or 4). */
  readonly bitDepth: number;
  /** Conversions the decoder applies to produce 8-bit RGB (empty for plain 8-bit RGB). */
  readonly conversions: readonly ColorConversion[];
}

/** A decoded image plus what its file held. */
export interface DecodedImage extends RgbImage {
  readonly info: ImageInfo;
}
