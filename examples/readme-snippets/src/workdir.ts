/**
 * The working directory a snippet runs in: a fresh temp folder holding small generated stand-ins
 * for the data sets a README opens by relative path (`'faces/'`, `'data/celeba-crops'`,
 * `'faces_emore/train'`…). A snippet's checkpoints and logs (`runs/…`) land there too.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InsightfaceRecWriter, encodeJpeg, writeVerificationBin } from '@fr/data';

/** A JPEG of identity `identity`'s colour pattern, varied by `variant`. */
function faceJpeg(identity: number, variant: number, size = 24): Uint8Array {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = (x * (3 + identity) + variant * 5) & 255;
      data[i + 1] = (y * (5 + identity) + variant * 3) & 255;
      data[i + 2] = ((x + y) * 2 + identity * 40) & 255;
    }
  }
  return encodeJpeg({ width: size, height: size, data }, 90);
}

/** An ImageFolder: `root/<identity>/<n>.jpg`; returns the identity names. */
function writeImageFolder(root: string, identities: number, imagesEach: number): string[] {
  const names = Array.from({ length: identities }, (_, k) => `id-${String(k).padStart(3, '0')}`);
  names.forEach((name, k) => {
    mkdirSync(join(root, name), { recursive: true });
    for (let n = 0; n < imagesEach; n++) writeFileSync(join(root, name, `${n}.jpg`), faceJpeg(k, n));
  });
  return names;
}

interface Fixture {
  /** The relative path (or its start) a snippet names in a string literal. */
  readonly opens: string;
  write(dir: string): void;
}

const FIXTURES: readonly Fixture[] = [
  { opens: 'faces/', write: (dir) => void writeImageFolder(join(dir, 'faces'), 4, 3) },
  {
    // 12 × 12 images, one identity held out: 132 remain, one batch of the README's 128.
    opens: 'data/celeba-crops',
    write: (dir) => {
      const names = writeImageFolder(join(dir, 'data/celeba-crops'), 12, 12);
      writeFileSync(join(dir, 'data/celeba-crops-split.txt'), `# held-out verification identities\n${names[0]}\n`);
    },
  },
  {
    // insightface's layout: train.rec/.idx (4 identities × 3) and a 10-pair lfw.bin.
    opens: 'faces_emore/',
    write: (dir) => {
      mkdirSync(join(dir, 'faces_emore'));
      const rec = InsightfaceRecWriter.create(join(dir, 'faces_emore/train'));
      for (let label = 0; label < 4; label++) for (let n = 0; n < 3; n++) rec.addImage(label, faceJpeg(label, n));
      rec.close();
      const issame = Array.from({ length: 10 }, (_, k) => k % 2 === 0);
      const images = issame.flatMap((same, k) => [faceJpeg(k % 4, 0), faceJpeg(same ? k % 4 : (k + 1) % 4, 1)]);
      writeVerificationBin(join(dir, 'faces_emore/lfw.bin'), { images, issame });
    },
  },
];

/** A fresh temp folder with the fixtures `code` names in a string literal (`'faces/'`…). */
export function prepareWorkdir(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fr-readme-snippet-'));
  for (const fixture of FIXTURES) {
    if (["'", '"', '`'].some((quote) => code.includes(quote + fixture.opens))) fixture.write(dir);
  }
  return dir;
}
