import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InsightfaceRec, decodeImage, readVerificationBin, runCli } from '@fr/data';
import { cleanupTemps, io, runCliProcess, imageFolder, jpegBytes, pngBytes, tempDir, writeFile } from './helpers.js';

afterAll(cleanupTemps);

describe('fr-data rec', () => {
  test('ImageFolder → .rec/.idx reads back identical: bytes and labels', async () => {
    const root = imageFolder(tempDir(), { zoe: 3, adam: 2, Eve: 4 }, 20);
    const grey = writeFile(join(root, 'adam', 'grey.png'), pngBytes({ width: 20, height: 20, colorType: 0, bitDepth: 8, samples: new Uint8Array(400).fill(77) }));
    const junk = writeFile(join(root, 'zoe', 'junk.jpg'), 'oops');
    const out = join(tempDir(), 'train');
    const c = io();
    expect(await runCli(['rec', root, out, '--property', '--classes'], c)).toBe(0);
    expect(c.err()).toContain(`skipped: not an image (starts with text "oops"): ${junk}`);
    expect(c.err()).toMatch(/fr-data rec: wrote 10 images of 3 identities to .*train\.rec \(.*\) and .*train\.idx in [\d.]+ s; skipped 1 bad file\(s\)\n$/);
    expect(c.err()).not.toContain('\r');
    const rec = InsightfaceRec.open(out);
    expect(rec.numClasses).toBe(3);
    const classes = ['Eve', 'adam', 'zoe'];
    expect(readFileSync(`${out}.classes.txt`, 'utf8')).toBe('Eve\nadam\nzoe\n');
    expect(readFileSync(join(out, '..', 'property'), 'utf8')).toBe('3,20,20\n');
    const expected = classes.flatMap((id, label) =>
      (id === 'Eve' ? ['000', '001', '002', '003'] : id === 'adam' ? ['000', '001', 'grey'] : ['000', '001', '002']).map((n) => ({ label, path: join(root, id, n === 'grey' ? 'grey.png' : `${n}.jpg`) })),
    );
    expect(rec.images.map((i) => i.label)).toEqual(expected.map((e) => e.label));
    expected.forEach((e, i) => {
      const { data, header } = rec.readImage(i);
      expect(header.label).toBe(e.label);
      if (e.path === grey) {
        // A grey PNG is stored as an RGB JPEG of the same pixels.
        const img = decodeImage(data);
        expect(img.info).toMatchObject({ format: 'jpeg', channels: 3 });
        expect(Math.abs((img.data[0] as number) - 77)).toBeLessThanOrEqual(2);
      } else expect(Buffer.from(data).equals(readFileSync(e.path))).toBe(true);
    });
    rec.close();
  });

  test('a progress bar on a TTY; --bad-data stop fails naming the file; --size re-encodes', async () => {
    const root = imageFolder(tempDir(), { a: 2, b: 2 }, 20);
    const out = join(tempDir(), 'x');
    const tty = io(true);
    expect(await runCli(['rec', root, out, '--size', '16'], tty)).toBe(0);
    expect(tty.err()).toContain(`\r\x1b[2Krec 4/4 ▕${"█".repeat(24)}▏ ETA 0s\n`);
    const rec = InsightfaceRec.open(out);
    expect(decodeImage(rec.readImage(0).data).width).toBe(16);
    rec.close();
    writeFile(join(root, 'b', 'bad.jpg'), jpegBytes(20, 20).subarray(0, 100));
    const c = io();
    expect(await runCli(['rec', root, out, '--bad-data', 'stop'], c)).toBe(1);
    expect(c.err()).toBe(`fr-data rec: truncated JPEG (file ends inside the header, 100 bytes): ${join(root, 'b', 'bad.jpg')}\n`);
  });

  test('--exclude-list leaves held-out identities out', async () => {
    const root = imageFolder(tempDir(), { a: 1, b: 1, c: 1 }, 16);
    const list = writeFile(join(tempDir(), 'split.txt'), '# held out\nb\n');
    const out = join(tempDir(), 'y');
    expect(await runCli(['rec', root, out, '--exclude-list', list, '--classes'], io())).toBe(0);
    expect(readFileSync(`${out}.classes.txt`, 'utf8')).toBe('a\nc\n');
  });
});

describe('fr-data bin and inspect', () => {
  function pairsFixture(): { root: string; pairs: string } {
    const root = tempDir();
    for (const [id, n] of [
      ['s1', 1],
      ['s1', 2],
      ['s2', 1],
      ['s2', 2],
    ] as const) {
      writeFile(join(root, id, `${n}.png`), pngBytes({ width: 12, height: 14, colorType: 0, bitDepth: 8, samples: new Uint8Array(168).fill(40 * n) }));
    }
    writeFile(join(root, 's3', '1.jpg'), jpegBytes(12, 12, 5));
    const pairs = writeFile(join(root, 'pairs.txt'), '1\t2\ns1\t1.png\t2.png\ns2\t1.png\t2.png\ns1\t1.png\ts2\t2.png\ns3\t1.jpg\ts1\t2.png\n');
    return { root, pairs };
  }

  test('pairs → .bin reads back identical; inspect describes it', async () => {
    const { root, pairs } = pairsFixture();
    const out = join(tempDir(), 'orl.bin');
    const c = io();
    expect(await runCli(['bin', pairs, root, out], c)).toBe(0);
    expect(c.err()).toMatch(/fr-data bin: wrote 4 pairs \(2 same, 2 different\), 8 images to .*orl\.bin/);
    const bin = readVerificationBin(out);
    expect(bin.issame).toEqual([true, true, false, false]);
    // The JPEG is stored byte for byte; grey PNGs become RGB JPEGs of the same pixels.
    expect(Buffer.from(bin.images[6] as Uint8Array).equals(readFileSync(join(root, 's3', '1.jpg')))).toBe(true);
    const first = decodeImage(bin.images[0] as Uint8Array);
    expect(first.info).toMatchObject({ format: 'jpeg', width: 12, height: 14, channels: 3 });
    expect(Math.abs((first.data[0] as number) - 40)).toBeLessThanOrEqual(2);
    expect(bin.images[0]).toEqual(bin.images[4]); // same source file, same bytes
    const again = join(tempDir(), 'again.bin');
    expect(await runCli(['bin', pairs, root, again, '--size', '16', '--protocol', '2'], io())).toBe(0);
    expect(decodeImage(readVerificationBin(again).images[6] as Uint8Array).width).toBe(16);

    const text = io();
    expect(await runCli(['inspect', out], text)).toBe(0);
    expect(text.out()).toMatch(/pairs: 4 \(2 same, 2 different\), images: 8/);
    expect(text.out()).toMatch(/12x14 jpeg × 7, 12x12 jpeg × 1/);
    const json = io();
    expect(await runCli(['inspect', out, '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ kind: 'verification-bin', pairs: 4, same: 2, images: 8 });
  });

  test('a pairs line naming a missing file fails with file, line and path', async () => {
    const { root, pairs } = pairsFixture();
    const broken = writeFile(join(root, 'broken.txt'), readFileSync(pairs, 'utf8').replace('s2\t1.png\t2.png', 's2\t1.png\t7.png'));
    const c = io();
    expect(await runCli(['bin', broken, root, join(tempDir(), 'z.bin')], c)).toBe(1);
    expect(c.err()).toBe(`fr-data bin: ${broken}:3: image not found: ${join(root, 's2', '7.png')}\n`);
  });

  test('inspect a .rec; usage errors exit 2', async () => {
    const root = imageFolder(tempDir(), { a: 2, b: 3 }, 16);
    const out = join(tempDir(), 'r');
    await runCli(['rec', root, out], io());
    const c = io();
    expect(await runCli(['inspect', `${out}.idx`], c)).toBe(0);
    expect(c.out()).toMatch(/insightface layout .*\n {2}images: 5, classes: 2\n {2}images per class: min 2, median 3, max 3\n {2}image sizes \(first 5\): 16x16 jpeg × 5/);
    for (const argv of [[], ['rec', root], ['nope'], ['rec', root, out, '--size'], ['rec', root, out, '--frobnicate'], ['bin', 'a', 'b', 'c', '--protocol', '9']]) {
      const u = io();
      expect(await runCli(argv, u)).toBe(2);
    }
  });

  test('--version, per-command --help, and unknown flags or commands named with the closest valid one', async () => {
    const version = io();
    expect(await runCli(['--version'], version)).toBe(0);
    expect(version.out()).toMatch(/^fr-data \d+\.\d+\.\d+\n$/);
    const help = io();
    expect(await runCli(['rec', '--help'], help)).toBe(0);
    expect(help.out()).toMatch(/^fr-data rec <imagefolder> <out-prefix> \[options\]/);
    for (const flag of ['--size N', '--exclude-list FILE', '--bad-data skip|stop', '--classes']) expect(help.out()).toContain(flag);
    expect(help.out()).not.toContain('fr-data bin');
    const typo = io();
    expect(await runCli(['rec', 'faces', 'out', '--sise', '32'], typo)).toBe(2);
    expect(typo.err()).toBe("fr-data rec: unknown option --sise (did you mean --size?)\nRun 'fr-data rec --help' for the options.\n");
    const command = io();
    expect(await runCli(['inpsect', 'x.rec'], command)).toBe(2);
    expect(command.err()).toMatch(/^fr-data: unknown command "inpsect" \(did you mean inspect\?\)/);
  });

  test('the fr-data executable runs (its bin runs src/cli.ts through tsx)', () => {
    const root = imageFolder(tempDir(), { a: 1, b: 1 }, 16);
    const out = join(tempDir(), 'e');
    const r1 = runCliProcess(['rec', root, out]);
    expect(r1.status).toBe(0);
    expect(existsSync(`${out}.rec`)).toBe(true);
    const r2 = runCliProcess(['inspect', `${out}.rec`, '--json']);
    expect(r2.status).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ kind: 'recordio', images: 2, classes: 2 });
    const r3 = runCliProcess(['inspect']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/inspect needs one file/);
  });
});
