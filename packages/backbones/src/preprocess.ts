import { tf, type Preprocessing } from '@fr/core';

/** Raw 8-bit pixels, row-major, RGB or RGBA (a DOM `ImageData` qualifies). */
export interface PixelImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 3 (RGB) or 4 (RGBA; alpha ignored). Default: inferred from the data length. */
  readonly channels?: 3 | 4;
}

/**
 * RGB(A) pixels with values 0..255: a `[H, W, C]` or `[B, H, W, C]` tensor (int32, uint8-valued
 * float32; e.g. from `tf.browser.fromPixels`), one {@link PixelImage} or an array of them.
 */
export type PixelInput = tf.Tensor3D | tf.Tensor4D | PixelImage | readonly PixelImage[];

export interface PreprocessOptions {
  /**
   * Resize (bilinear, half-pixel centres) images whose side differs from the model's input size.
   * Default false: a size mismatch throws, since FR models expect aligned crops of their size.
   */
  readonly resize?: boolean;
}

function imageToTensor(image: PixelImage): tf.Tensor3D {
  const { data, width, height } = image;
  const channels = image.channels ?? data.length / (width * height);
  if ((channels !== 3 && channels !== 4) || data.length !== width * height * channels) {
    throw new Error(`PixelImage ${width}×${height} has ${data.length} bytes: expected RGB (${width * height * 3}) or RGBA (${width * height * 4})`);
  }
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += channels) {
    rgb[p * 3] = data[q] as number;
    rgb[p * 3 + 1] = data[q + 1] as number;
    rgb[p * 3 + 2] = data[q + 2] as number;
  }
  return tf.tensor3d(rgb, [height, width, 3]);
}

/**
 * Applies a backbone's preprocessing contract to 8-bit RGB pixels: drop alpha, check (or
 * resize to) the input size, reorder channels if the model wants BGR, normalise
 * (`minus1to1`: x/127.5 − 1; `mxnet`: (x − 127.5)/128). Returns float32 NHWC.
 *
 * @example
 * ```ts
 * const x = preprocessPixels(imageData, backbone.preprocessing); // [1, 112, 112, 3] in [−1, 1]
 * ```
 */
export function preprocessPixels(pixels: PixelInput, preprocessing: Preprocessing, options: PreprocessOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D;
    if (pixels instanceof tf.Tensor) {
      if (pixels.rank !== 3 && pixels.rank !== 4) throw new Error(`pixels must be [H, W, C] or [B, H, W, C], got [${pixels.shape.join(', ')}]`);
      x = tf.cast(pixels.rank === 3 ? tf.expandDims(pixels, 0) : pixels, 'float32') as tf.Tensor4D;
      const c = x.shape[3];
      if (c === 4) x = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 3]);
      else if (c !== 3) throw new Error(`pixels must have 3 (RGB) or 4 (RGBA) channels, got ${c}`);
    } else {
      const images = Array.isArray(pixels) ? (pixels as readonly PixelImage[]) : [pixels as PixelImage];
      if (images.length === 0) throw new Error('no images given');
      const first = images[0] as PixelImage;
      if (images.some((im) => im.width !== first.width || im.height !== first.height)) {
        throw new Error('all images of one call must have the same size');
      }
      x = tf.stack(images.map(imageToTensor)) as tf.Tensor4D;
    }
    const s = preprocessing.inputSize;
    if (x.shape[1] !== s || x.shape[2] !== s) {
      if (!options.resize) {
        throw new Error(`the model expects ${s}×${s} aligned face crops, got ${x.shape[2]}×${x.shape[1]} (pass { resize: true } to resize)`);
      }
      x = tf.image.resizeBilinear(x, [s, s], false, true);
    }
    if (preprocessing.colorOrder === 'bgr') x = tf.reverse(x, 3);
    return preprocessing.normalization === 'mxnet'
      ? tf.mul(tf.sub(x, 127.5), 1 / 128)
      : tf.sub(tf.div(x, 127.5), 1);
  });
}
