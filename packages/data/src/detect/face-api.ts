/**
 * Face detection and 68-point landmarks through `@vladmandic/face-api`, an optional peer
 * dependency loaded with a dynamic `import()`. Its weights ship inside its npm package (`model/`)
 * and are read from there — nothing is downloaded.
 *
 * Why face-api and this setup (numbers in the README, "Face detection and alignment"):
 * - its Node wasm build (`dist/face-api.node-wasm.js`) takes tfjs from `@tensorflow/tfjs`, which
 *   resolves to the same `@tensorflow/tfjs-core` module @fr uses, so it runs on the backend @fr
 *   selected (its bundled ESM build carries a second tfjs that fails next to ours, and its default
 *   `main` needs tfjs-node);
 * - its models are built from tfjs-core ops, so weights load with `tf.io.decodeWeights`, without
 *   tfjs-converter or an IO handler;
 * - the images are padded with black before detection: on tight face crops (the CelebA crops,
 *   ORL) the detectors miss or clip faces that fill the frame (tiny detector without padding:
 *   124/135 CelebA, 51/80 ORL; with 50 % padding 134/135 and 80/80). Mirror padding would add
 *   reflected faces (132 of 135 crops then had several faces).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '@fr/core';
import { fivePointsFrom68 } from '../align/five-points.js';
import type { Point } from '../align/template.js';
import type { RgbImage } from '../image/types.js';
import { DetectorUnavailableError, type DetectedFace, type FaceDetector } from './face-detector.js';

/** The face-api entry @fr loads: CommonJS, requires `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` (face-api declares neither). */
export const FACE_API_ENTRY = '@vladmandic/face-api/dist/face-api.node-wasm.js';

/** What to install for {@link loadFaceApiDetector}. */
export const FACE_API_INSTALL = 'npm install @vladmandic/face-api @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0';

/** `tiny`: tiny face detector (fast, default); `ssd`: SSD MobileNet v1 (about 10× slower on CPU, same detection rate on face crops). */
export type FaceApiModel = 'tiny' | 'ssd';

export interface FaceApiDetectorOptions {
  /** Default `tiny`. */
  readonly model?: FaceApiModel;
  /** Faces scoring below this are not returned (default 0.1; pick a stricter `minScore` when aligning). */
  readonly scoreFloor?: number;
  /** Black border added on each side before detection, as a fraction of the image's longer side (default 0.5). */
  readonly padding?: number;
}

// The part of face-api's API used here (its own typings are not needed to build @fr/data).
interface FaceApiNet {
  loadFromWeightMap(weights: tf.NamedTensorMap): void;
  dispose(): void;
}
interface FaceApiResult {
  readonly detection: { readonly score: number; readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } };
  readonly landmarks: { readonly positions: readonly { readonly x: number; readonly y: number }[] };
}
interface FaceApiModule {
  readonly version: string;
  readonly tf: { engine(): unknown };
  readonly nets: { readonly tinyFaceDetector: FaceApiNet; readonly ssdMobilenetv1: FaceApiNet; readonly faceLandmark68Net: FaceApiNet };
  readonly TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  readonly SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(input: tf.Tensor3D, options: unknown): { withFaceLandmarks(): Promise<FaceApiResult[]> };
}

const MODEL_FILES: Record<FaceApiModel | 'landmarks', string> = {
  tiny: 'tiny_face_detector_model',
  ssd: 'ssd_mobilenetv1_model',
  landmarks: 'face_landmark_68_model',
};

/**
 * Imports face-api; a missing package (face-api itself or a tfjs package it requires)
 * becomes a {@link DetectorUnavailableError} naming what to install.
 */
export async function importFaceApi(entry = FACE_API_ENTRY): Promise<FaceApiModule> {
  let mod: { default?: FaceApiModule } & Partial<FaceApiModule>;
  try {
    mod = (await import(entry)) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e;
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec((e as Error).message)?.[1];
    throw new DetectorUnavailableError(
      `face detection needs the optional package @vladmandic/face-api (and the @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm it loads)${missing ? `; cannot load ${missing}` : ''}. Install them with: ${FACE_API_INSTALL}`,
      FACE_API_INSTALL,
      { cause: e },
    );
  }
  const api = (mod.default ?? mod) as FaceApiModule;
  if (typeof api.detectAllFaces !== 'function') throw new Error(`${entry} does not export detectAllFaces: not a face-api build this version of @fr/data knows`);
  // A second tfjs-core (another version, or a bundled copy) would run face-api on its own engine,
  // without the backend @fr selected; refuse rather than run slowly on the wrong one.
  if (api.tf.engine() !== tf.engine()) {
    throw new Error(`face-api ${api.version} loaded a different @tensorflow/tfjs-core than @fr uses (${tf.version_core}); install @tensorflow/tfjs@${tf.version_core} so both share one`);
  }
  return api;
}

function loadWeights(dir: string, name: string): tf.NamedTensorMap {
  const manifestPath = join(dir, `${name}-weights_manifest.json`);
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const specs = groups.flatMap((g) => g.weights);
  const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  return tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
}

const multipleOf32 = (n: number): number => Math.ceil(n / 32) * 32;

/**
 * Loads face-api's detector (tiny or SSD) and 68-point landmark model from the weights inside
 * the installed package, on the active tfjs backend. Throws {@link DetectorUnavailableError}
 * when face-api is not installed.
 *
 * @example
 * ```ts
 * await selectBackend('wasm');
 * const detector = await loadFaceApiDetector({ model: 'tiny' });
 * const [face] = await detector.detect(decodeImage(readFileSync('photo.jpg')));
 * const aligned = alignFace(image, face.landmarks); // 112×112
 * detector.dispose();
 * ```
 */
export async function loadFaceApiDetector(options: FaceApiDetectorOptions = {}): Promise<FaceDetector> {
  const model = options.model ?? 'tiny';
  if (model !== 'tiny' && model !== 'ssd') throw new Error(`face-api model must be 'tiny' or 'ssd', got ${JSON.stringify(model)}`);
  const floor = options.scoreFloor ?? 0.1;
  const padding = options.padding ?? 0.5;
  if (!(padding >= 0 && padding <= 2)) throw new Error(`padding must be in [0, 2], got ${padding}`);
  const api = await importFaceApi();
  const dir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
  const detectorNet = model === 'tiny' ? api.nets.tinyFaceDetector : api.nets.ssdMobilenetv1;
  detectorNet.loadFromWeightMap(loadWeights(dir, MODEL_FILES[model]));
  api.nets.faceLandmark68Net.loadFromWeightMap(loadWeights(dir, MODEL_FILES.landmarks));
  const name = `@vladmandic/face-api ${api.version}: ${model === 'tiny' ? 'tiny face detector' : 'SSD MobileNet v1'} + 68-point landmarks (padding ${padding})`;
  return {
    name,
    async detect(image: RgbImage): Promise<DetectedFace[]> {
      const pad = Math.round(padding * Math.max(image.width, image.height));
      const input = tf.tidy(() => {
        const x = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
        return pad > 0 ? tf.pad(x, [[pad, pad], [pad, pad], [0, 0]], 0) : x;
      });
      try {
        // The tiny detector's input size: the padded image's size in multiples of 32, within
        // 160–416 (face-api's range); 224 for a padded 112-pixel crop.
        const side = Math.min(416, Math.max(160, multipleOf32(Math.max(image.width, image.height) + 2 * pad)));
        const detectorOptions = model === 'tiny' ? new api.TinyFaceDetectorOptions({ inputSize: side, scoreThreshold: floor }) : new api.SsdMobilenetv1Options({ minConfidence: floor, maxResults: 20 });
        const results = await api.detectAllFaces(input, detectorOptions).withFaceLandmarks();
        return results
          .map((r) => {
            const raw: Point[] = r.landmarks.positions.map((p) => [p.x - pad, p.y - pad] as const);
            const b = r.detection.box;
            return { box: { x: b.x - pad, y: b.y - pad, width: b.width, height: b.height }, score: r.detection.score, landmarks: fivePointsFrom68(raw), rawLandmarks: raw };
          })
          .sort((a, b) => b.score - a.score);
      } finally {
        input.dispose();
      }
    },
    dispose() {
      detectorNet.dispose();
      api.nets.faceLandmark68Net.dispose();
    },
  };
}
