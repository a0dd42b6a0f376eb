/** What @fr/data needs from a face detector: boxes, scores and the five ArcFace points. */
import type { Point } from '../align/template.js';
import type { RgbImage } from '../image/types.js';

/** A box in image pixels. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One detected face. */
export interface DetectedFace {
  readonly box: FaceBox;
  /** Detector confidence in [0, 1]. */
  readonly score: number;
  /** Left eye, right eye, nose tip, left and right mouth corner (image pixels, as seen in the image). */
  readonly landmarks: readonly Point[];
  /** The detector's own landmarks when it has more (68 iBUG points for face-api). */
  readonly rawLandmarks?: readonly Point[];
}

/**
 * A face detector with landmarks. It runs on the active tfjs backend (select one first) and
 * owns model weights until {@link FaceDetector.dispose}.
 *
 * @example
 * ```ts
 * const detector = await loadFaceApiDetector();
 * const faces = await detector.detect(decodeImage(bytes));
 * detector.dispose();
 * ```
 */
export interface FaceDetector {
  /** What runs, with versions (recorded in landmarks files and reports). */
  readonly name: string;
  /** Faces in `image` with score ≥ the detector's floor, best first. */
  detect(image: RgbImage): Promise<DetectedFace[]>;
  /** Frees the model weights. */
  dispose(): void;
}

/** The optional detector package cannot be loaded; the message says what to install. */
export class DetectorUnavailableError extends Error {
  override readonly name = 'DetectorUnavailableError';
  constructor(
    message: string,
    /** The install command. */
    readonly install: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
