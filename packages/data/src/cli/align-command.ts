/** `fr-data align <in> <out>`: detect five landmarks, warp to the ArcFace template, write aligned copies. */
import { createProgress, selectBackend, type Progress } from '@fr/core';
import { flagHelp, numberFlag, stringFlag, UsageError, type CliCommand, type CliIo, type FlagSpec, type ParsedFlags } from '@fr/core/cli';
import { alignDataset, ALIGN_REPORT_FILE, LANDMARKS_FILE, type AlignReport } from '../align/align-dataset.js';
import { readIdentityList } from '../dataset/identity-split.js';
import { DetectorUnavailableError, type FaceDetector } from '../detect/face-detector.js';
import { FACE_API_INSTALL, importFaceApi, loadFaceApiDetector } from '../detect/face-api.js';
import { lineLogger } from './io.js';

const ALIGN_FLAGS: readonly FlagSpec[] = [
  { name: 'size', value: 'N', help: 'output side in pixels (default 112)' },
  { name: 'detector', value: 'tiny|ssd', help: "face-api's tiny face detector (default, fast) or SSD MobileNet v1" },
  { name: 'min-score', value: 'S', help: 'ignore faces scoring below S, in [0, 1] (default 0.2)' },
  { name: 'pick', value: 'largest|central', help: 'several faces: keep the largest box (default) or the one nearest the center' },
  { name: 'landmarks', value: 'FILE', help: 'use landmarks from FILE (fr-landmarks/1 JSON, 5 or 68 points) instead of detecting' },
  { name: 'if-no-face', value: 'skip|resize', help: 'image without a face: leave it out (default for a folder) or write it resized, unaligned (default for a pairs file, so every pair is kept)' },
  { name: 'padding', value: 'F', help: 'black border added before detection, fraction of the longer side (default 0.5; tight face crops need it, photos with small faces can use 0)' },
  { name: 'exclude-list', value: 'FILE', help: 'folder: leave out the identities listed in FILE (one per line, # comments)' },
  { name: 'include-list', value: 'FILE', help: 'folder: only the identities listed in FILE' },
  { name: 'images', value: 'DIR', help: "pairs file: the image root (default: the pairs file's folder)" },
  { name: 'pattern', value: 'P', help: 'pairs file: how tokens name files (auto, lfw, verbatim or a template)' },
  { name: 'quality', value: 'Q', help: 'JPEG quality of aligned JPEGs (default 95)' },
  { name: 'backend', value: 'NAME', help: 'tfjs backend for detection (default $FR_BACKEND or auto)' },
];

const ALIGN_USAGE = `fr-data align <imagefolder | pairs.txt> <out> [options]
  Finds each image's face and five landmarks (eye centers, nose tip, mouth corners), warps it to
  the ArcFace template (insightface norm_crop) and writes the aligned copy under the same relative
  path in <out>. A pairs file aligns the images it names and is copied to <out>. Writes
  <out>/${LANDMARKS_FILE} (landmarks cache: reuse with --landmarks, or align on the fly with
  ImageFolderDataset's align option) and <out>/${ALIGN_REPORT_FILE} (no face, several faces and
  which was kept, low scores, timing). Resumable: a rerun skips finished images.
  Detection needs the optional package @vladmandic/face-api: ${FACE_API_INSTALL}
${flagHelp(ALIGN_FLAGS)}`;

/** A flag restricted to `choices`, or undefined when it was not given. */
function choiceFlag<T extends string>(args: ParsedFlags, name: string, choices: readonly T[]): T | undefined {
  const v = stringFlag(args, name);
  if (v !== undefined && !(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be ${choices.join(' or ')}, got ${JSON.stringify(v)}`);
  return v as T | undefined;
}

function summary(r: AlignReport): string {
  const pct = (100 * r.detectionRate).toFixed(1);
  const parts = [
    r.noFace.length ? `${r.noFace.length} without a face` : '',
    r.lowScore.length ? `${r.lowScore.length} with only low-score faces` : '',
    r.multipleFaces.length ? `${r.multipleFaces.length} with several faces` : '',
    r.unalignedCopies.length ? `${r.unalignedCopies.length} copied unaligned` : '',
    r.failed.length ? `${r.failed.length} unreadable` : '',
  ].filter(Boolean);
  const timing = r.run.processed ? ` in ${r.run.seconds.toFixed(1)} s (${r.run.msPerImage.toFixed(0)} ms/image${r.run.detectMsPerImage ? `, detection ${r.run.detectMsPerImage.toFixed(0)} ms` : ''})` : '';
  return `fr-data align: ${r.aligned} of ${r.total} images aligned (${pct}%) to ${r.out}${timing}${r.resumed ? `; ${r.resumed} done by an earlier run` : ''}${parts.length ? `; ${parts.join(', ')}` : ''}; report ${r.out}/${ALIGN_REPORT_FILE}`;
}

async function align(args: ParsedFlags, io: CliIo): Promise<number> {
  const [input, out, extra] = args.positional;
  if (!input || !out || extra !== undefined) throw new UsageError('align needs <imagefolder | pairs.txt> <out>');
  const size = numberFlag(args, 'size', { integer: true, min: 8, max: 4096 });
  const model = choiceFlag(args, 'detector', ['tiny', 'ssd'] as const);
  const minScore = numberFlag(args, 'min-score', { min: 0, max: 1 });
  const pick = choiceFlag(args, 'pick', ['largest', 'central'] as const);
  const landmarks = stringFlag(args, 'landmarks');
  const ifNoFace = choiceFlag(args, 'if-no-face', ['skip', 'resize'] as const);
  const padding = numberFlag(args, 'padding', { min: 0, max: 2 });
  const quality = numberFlag(args, 'quality', { integer: true, min: 1, max: 100 });
  const excludeList = stringFlag(args, 'exclude-list');
  const includeList = stringFlag(args, 'include-list');
  if (landmarks && (model || padding !== undefined || args.flags.has('backend'))) throw new UsageError('--landmarks replaces detection: --detector, --padding and --backend do not apply');

  let detector: FaceDetector | undefined;
  if (!landmarks) {
    try {
      await importFaceApi(); // first: a missing package is reported before anything else happens
      await selectBackend(stringFlag(args, 'backend') ?? process.env.FR_BACKEND ?? 'auto', { log: lineLogger(io.stderr) });
      detector = await loadFaceApiDetector({ model, padding });
    } catch (e) {
      if (!(e instanceof DetectorUnavailableError)) throw e;
      io.stderr.write(`fr-data align: ${e.message}\n  (or pass --landmarks FILE with landmarks computed elsewhere)\n`);
      return 1;
    }
    io.stderr.write(`fr-data align: ${detector.name}\n`);
  }
  let progress: Progress | undefined;
  try {
    const report = await alignDataset({
      input, out, size, detector, landmarks, minScore, pick, ifNoFace, quality,
      exclude: excludeList ? readIdentityList(excludeList) : undefined,
      include: includeList ? readIdentityList(includeList) : undefined,
      images: stringFlag(args, 'images'),
      pattern: stringFlag(args, 'pattern'),
      log: (line) => (progress ? progress.print(line) : lineLogger(io.stderr)(line)),
      onProgress: (done, total) => {
        // The total is known once the input is listed; a resumed run starts part-way.
        progress ??= createProgress(io.stderr, { label: 'align', total, unit: 'images', start: done });
        progress.update(done);
      },
    });
    (progress ?? createProgress(io.stderr, { label: 'align', total: report.total })).end(summary(report));
  } finally {
    detector?.dispose();
  }
  return 0;
}

/** `fr-data align`. */
export const alignCommand: CliCommand = { usage: ALIGN_USAGE, flags: ALIGN_FLAGS, run: align };
