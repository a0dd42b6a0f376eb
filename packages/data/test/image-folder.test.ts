import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type { BatchRequest, HostBatch } from '@fr/core';
import { DataError, DecodePool, ImageFolderDataset, type ImageFolderOptions } from '@fr/data';
import { cleanupTemps, imageFolder, jpegBytes, loadSharpForTests, netpbmBytes, pngBytes, recorder, tempDir, writeFile } from './helpers.js';

afterAll(cleanupTemps);

const SPEC = { zed: 7, alice: 5, Bob: 6, bob2: 8, carol: 4, dave: 9 };
// UTF-16 code-unit order: upper case first.
const SORTED = ['Bob', 'alice', 'bob2', 'carol', 'dave', 'zed'];
const req = (over: Partial<BatchRequest> = {}): BatchRequest => ({ epoch: 0, seed: 7, batchSize: 8, fromBatch: 0, dropLast: true, ...over });

async function collect(ds: ImageFolderDataset, request: BatchRequest): Promise<HostBatch[]> {
  const out: HostBatch[] = [];
  for await (const b of ds.batches(request)) out.push(b);
  return out;
}
const ids = (batches: HostBatch[]): string[][] => batches.map((b) => [...(b.ids ?? [])]);
const identityOf = (path: string, root: string): string => path.slice(root.length + 1).split('/')[0] as string;

async function open(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  return ImageFolderDataset.open(root, { inputSize: 16, workers: 0, log: null, ...options });
}

describe('ImageFolderDataset: classes and labels', () => {
  const root = imageFolder(tempDir(), SPEC, 16);

  test('class index = sorted identity name; every label matches its folder', async () => {
    const ds = await open(root);
    expect(ds.classNames).toEqual(SORTED);
    expect(ds.numClasses).toBe(6);
    expect(ds.size).toBe(39);
    const batches = await collect(ds, req({ dropLast: false }));
    let seen = 0;
    for (const b of batches) {
      expect(b.shape).toEqual([b.labels.length, 16, 16, 3]);
      b.labels.forEach((l, i) => expect(SORTED[l]).toBe(identityOf(b.ids?.[i] as string, root)));
      seen += b.labels.length;
    }
    expect(seen).toBe(39);
    await ds.close();
  });

  test('include, exclude and limitPerClass', async () => {
    const ex = await open(root, { exclude: ['alice', 'zed'] });
    expect(ex.classNames).toEqual(['Bob', 'bob2', 'carol', 'dave']);
    const inc = await open(root, { include: (id) => id.startsWith('b') || id === 'dave', limitPerClass: 3 });
    expect(inc.classNames).toEqual(['bob2', 'dave']);
    expect(inc.size).toBe(6);
    const rec = recorder();
    await open(root, { exclude: ['nobody'], log: rec.log });
    expect(rec.lines.join('\n')).toMatch(/not folders under .*: nobody/);
  });
});

describe('ImageFolderDataset: deterministic order', () => {
  const root = imageFolder(tempDir(), SPEC, 16);

  test('same (seed, epoch) → same batches; another epoch or seed → another order', async () => {
    const ds = await open(root);
    const a = await collect(ds, req());
    const b = await collect(ds, req());
    expect(ids(a)).toEqual(ids(b));
    a.forEach((batch, i) => expect(batch.images).toEqual(b[i]?.images));
    expect(ids(await collect(ds, req({ epoch: 1 })))).not.toEqual(ids(a));
    expect(ids(await collect(ds, req({ seed: 8 })))).not.toEqual(ids(a));
    // A new dataset object (a resumed process) sees the same order.
    const again = await open(root);
    expect(ids(await collect(again, req()))).toEqual(ids(a));
    await ds.close();
    await again.close();
  });

  test('fromBatch resume equals the tail of the full epoch', async () => {
    const ds = await open(root, { randomFlip: true });
    const full = await collect(ds, req({ epoch: 3 }));
    for (const from of [1, 2, full.length - 1, full.length]) {
      const tail = await collect(ds, req({ epoch: 3, fromBatch: from }));
      expect(ids(tail)).toEqual(ids(full.slice(from)));
      tail.forEach((batch, i) => {
        expect(batch.images).toEqual(full[from + i]?.images);
        expect(batch.labels).toEqual(full[from + i]?.labels);
      });
    }
    await ds.close();
  });

  test('dropLast drops only the incomplete last batch', async () => {
    const ds = await open(root);
    const dropped = await collect(ds, req({ batchSize: 10 }));
    expect(dropped.map((b) => b.labels.length)).toEqual([10, 10, 10]);
    const kept = await collect(ds, req({ batchSize: 10, dropLast: false }));
    expect(kept.map((b) => b.labels.length)).toEqual([10, 10, 10, 9]);
    expect(ds.numBatches(req({ batchSize: 10, dropLast: false }))).toBe(4);
    expect(new Set(kept.flatMap((b) => b.ids)).size).toBe(39);
  });

  test('random flips are part of the plan: flipped images are mirrors of unflipped ones', async () => {
    const plain = await open(root, { inputSize: 16 });
    const flipping = await open(root, { inputSize: 16, randomFlip: 1 });
    const a = (await collect(plain, req()))[0] as HostBatch;
    const b = (await collect(flipping, req()))[0] as HostBatch;
    expect(b.ids).toEqual(a.ids);
    const sample = 16 * 16 * 3;
    const first = a.images.subarray(0, sample);
    const mirrored = b.images.subarray(0, sample);
    expect(mirrored[0]).toBe(first[15 * 3]);
    expect(mirrored[15 * 3 + 2]).toBe(first[2]);
  });

  test('fromBatch skips earlier batches without reading them', async () => {
    const dir = imageFolder(tempDir(), { a: 6, b: 6, c: 6 }, 16);
    const probe = await open(dir, { validate: 'none', badData: 'stop' });
    const plan = probe.plan(req({ batchSize: 6 }));
    // Corrupt the first example of batch 0 after opening (a header check would catch it otherwise).
    const victim = probe.refs[(plan.batches[0] as Int32Array)[0] as number];
    if (victim?.kind !== 'file') throw new Error('expected a file ref');
    writeFileSync(victim.path, 'not a jpeg any more');
    expect((await collect(probe, req({ batchSize: 6, fromBatch: 1 }))).length).toBe(2);
    await expect(collect(probe, req({ batchSize: 6 }))).rejects.toThrow(victim.path);
  });
});

describe('ImageFolderDataset: prefetch workers', () => {
  const root = imageFolder(tempDir(), SPEC, 16);

  test('worker decoding equals in-thread decoding, bit for bit', async () => {
    const local = await open(root, { randomFlip: true });
    const pooled = await open(root, { randomFlip: true, workers: 1 });
    const a = await collect(local, req({ epoch: 2 }));
    const b = await collect(pooled, req({ epoch: 2 }));
    expect(pooled.report.decoding).toBe('workers');
    expect(pooled.report.workers).toBe(1);
    expect(local.report.decoding).toBe('in-thread');
    expect(ids(b)).toEqual(ids(a));
    b.forEach((batch, i) => expect(batch.images).toEqual(a[i]?.images));
    await pooled.close();
    expect(pooled.report.workers).toBe(0);
    await expect(collect(pooled, req())).rejects.toThrow(/closed/);
    await local.close();
  });

  test('the prefetch queue is bounded and an early stop leaves nothing running', async () => {
    const ds = await open(root, { workers: 1, prefetch: 2 });
    const it = ds.batches(req({ batchSize: 4 }))[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 300));
    // One consumed + at most `prefetch` ahead, out of 9 batches.
    expect(ds.report.batchesSubmitted).toBeLessThanOrEqual(3);
    await it.return?.(undefined);
    await ds.close();
  });

  test('a worker that dies mid-job: its batch is re-run in the main thread, nothing is lost', async () => {
    const script = writeFile(join(tempDir(), 'dying-worker.mjs'), "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'ready' });\nparentPort.on('message', () => process.exit(3));\n");
    const rec = recorder();
    const pool = await DecodePool.create({ workers: 1, workerUrl: pathToFileURL(script), log: rec.log });
    expect(pool.mode).toBe('workers');
    const options = { inputSize: 8, resize: 'stretch', normalization: 'minus1to1', colorOrder: 'rgb', decoder: 'js', rejectConversions: [] } as const;
    const r = await pool.run({ refs: [{ kind: 'bytes', name: 'x', bytes: jpegBytes(8, 8, 1, [255, 255, 255]) }], options });
    expect(r.failures).toEqual([]);
    expect(Math.min(...r.images)).toBeGreaterThan(0.95);
    expect(rec.lines.join('\n')).toMatch(/a decode worker stopped \(exit code 3\); re-running its 1 batch\(es\) in the main thread/);
    expect(pool.mode).toBe('in-thread');
    await pool.close();
  });

  test('a worker that cannot start falls back to in-thread decoding with a message', async () => {
    const rec = recorder();
    const pool = await DecodePool.create({ workers: 1, workerUrl: new URL('file:///nonexistent/decode-worker.js'), log: rec.log, startTimeoutMs: 5000 });
    expect(pool.mode).toBe('in-thread');
    expect(rec.lines.join('\n')).toMatch(/failed to start/);
    const r = await pool.run({ refs: [{ kind: 'bytes', name: 'x', bytes: jpegBytes(8, 8) }], options: { inputSize: 8, resize: 'stretch', normalization: 'minus1to1', colorOrder: 'rgb', decoder: 'js', rejectConversions: [] } });
    expect(r.images.length).toBe(8 * 8 * 3);
    await pool.close();
  });
});

describe('ImageFolderDataset: m-per-class sampler', () => {
  const root = imageFolder(tempDir(), SPEC, 16);

  test('each batch holds batchSize/m identities with m images each', async () => {
    const ds = await open(root, { sampler: { mPerClass: 2 } });
    expect(ds.provides).toContain('batch:m-per-class');
    expect(ds.size).toBe(8 + 6 + 6 + 8 + 4 + 10);
    const batches = await collect(ds, req({ batchSize: 6 }));
    expect(batches.length).toBeGreaterThanOrEqual(6);
    for (const b of batches) {
      expect(b.labels.length).toBe(6);
      const classes = new Set<number>();
      for (let i = 0; i < 6; i += 2) {
        expect(b.labels[i]).toBe(b.labels[i + 1]);
        classes.add(b.labels[i] as number);
      }
      expect(classes.size).toBe(3);
    }
    expect(ids(await collect(ds, req({ batchSize: 6 })))).toEqual(ids(batches));
    expect(ids(await collect(ds, req({ batchSize: 6, epoch: 1 })))).not.toEqual(ids(batches));
    const resumed = await collect(ds, req({ batchSize: 6, fromBatch: 2 }));
    expect(ids(resumed)).toEqual(ids(batches.slice(2)));
  });

  test('invalid m-per-class requests are explained', async () => {
    const ds = await open(root, { sampler: { mPerClass: 4 } });
    await expect(collect(ds, req({ batchSize: 6 }))).rejects.toThrow(/not a multiple of m = 4/);
    await expect(collect(ds, req({ batchSize: 28 }))).rejects.toThrow(/needs 7 identities/);
  });
});

describe('ImageFolderDataset: bad data', () => {
  /** A clean folder plus one bad file in `bob2`; returns the bad path. */
  function withBadFile(name: string, bytes: Uint8Array | string): { root: string; bad: string } {
    const root = imageFolder(tempDir(), SPEC, 16);
    return { root, bad: writeFile(join(root, 'bob2', name), bytes) };
  }
  const truncatedJpeg = jpegBytes(16, 16, 99).subarray(0, 300);

  const cases: [string, string, Uint8Array | string, RegExp][] = [
    ['corrupt bytes', 'garbage.jpg', new Uint8Array(200).map((_, i) => (i * 37) & 255), /not an image/],
    ['truncated JPEG', 'cut.jpg', truncatedJpeg, /truncated JPEG/],
    ['non-image file with an image extension', 'notes.png', 'these are my notes, not a PNG\n', /not an image \(starts with text "these are/],
    ['empty file', 'empty.jpg', new Uint8Array(0), /empty image file/],
  ];

  for (const [what, name, bytes, message] of cases) {
    test(`${what}: skip counts it with a message naming the file; labels do not move`, async () => {
      const { root, bad } = withBadFile(name, bytes);
      const rec = recorder();
      const ds = await open(root, { log: rec.log });
      expect(ds.size).toBe(39);
      expect(ds.classNames).toEqual(SORTED);
      expect(ds.report.issues.length).toBe(1);
      expect(ds.report.issues[0]?.file).toBe(bad);
      expect(rec.lines).toHaveLength(1);
      expect(rec.lines[0]).toContain(bad);
      expect(rec.lines[0]).toMatch(message);
      for (const b of await collect(ds, req({ dropLast: false }))) {
        b.labels.forEach((l, i) => expect(SORTED[l]).toBe(identityOf(b.ids?.[i] as string, root)));
        expect(b.ids).not.toContain(bad);
      }
    });

    test(`${what}: stop throws a DataError naming the file`, async () => {
      const { root, bad } = withBadFile(name, bytes);
      const err = await open(root, { badData: 'stop' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).file).toBe(bad);
      expect((err as DataError).message).toMatch(message);
    });
  }

  test('an empty identity folder keeps its class index (skip) or stops (stop)', async () => {
    const root = imageFolder(tempDir(), SPEC, 16);
    mkdirSync(join(root, 'bobby'));
    writeFile(join(root, 'bobby', 'readme.txt'), 'no images here');
    const rec = recorder();
    const ds = await open(root, { log: rec.log });
    expect(ds.classNames).toEqual(['Bob', 'alice', 'bob2', 'bobby', 'carol', 'dave', 'zed']);
    expect(ds.report.emptyClasses).toEqual(['bobby']);
    expect(rec.lines.join('\n')).toMatch(/identity folder has no image files \(class 3 kept with 0 examples\): .*bobby/);
    for (const b of await collect(ds, req({ dropLast: false }))) {
      b.labels.forEach((l, i) => expect(ds.classNames[l]).toBe(identityOf(b.ids?.[i] as string, root)));
    }
    const err = await open(root, { badData: 'stop' }).catch((e: unknown) => e);
    expect((err as DataError).kind).toBe('empty-identity');
    expect((err as DataError).file).toBe(join(root, 'bobby'));
  });

  test('a folder whose only images are bad becomes an empty class, with both messages', async () => {
    const root = imageFolder(tempDir(), { a: 3, b: 2 }, 16);
    for (const f of ['000.jpg', '001.jpg']) writeFile(join(root, 'b', f), 'junk');
    const rec = recorder();
    const ds = await open(root, { log: rec.log });
    expect(ds.classNames).toEqual(['a', 'b']);
    expect(ds.report.emptyClasses).toEqual(['b']);
    expect(rec.lines).toHaveLength(3);
    expect(rec.lines[2]).toMatch(/no usable image after skipping bad files \(class 1 kept/);
  });

  test('grey, 16-bit and CMYK images are converted by default and counted; rejected on request', async () => {
    const root = imageFolder(tempDir(), { a: 2, b: 2 }, 16);
    const greyPng = writeFile(join(root, 'a', 'grey.png'), pngBytes({ width: 16, height: 16, colorType: 0, bitDepth: 8, samples: new Uint8Array(256).fill(90) }));
    const png16 = writeFile(join(root, 'b', 'deep.png'), pngBytes({ width: 16, height: 16, colorType: 2, bitDepth: 16, samples: new Uint16Array(768).fill(40000) }));
    const pgm = writeFile(join(root, 'b', 'scan.pgm'), netpbmBytes({ magic: 'P5', width: 16, height: 16, maxval: 65535, samples: new Uint16Array(256).fill(1000) }));
    const rejected = [png16, greyPng, pgm];
    const sharp = await loadSharpForTests();
    if (sharp) {
      const raw = new Uint8Array(16 * 16 * 3).fill(120);
      const cmyk = new Uint8Array(await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer());
      rejected.push(writeFile(join(root, 'a', 'print.jpg'), cmyk));
    } else console.warn('[fr/data tests] sharp not installed: no CMYK JPEG in this fixture');
    const ds = await open(root);
    expect(ds.size).toBe(4 + rejected.length);
    expect(ds.report.conversions).toEqual(sharp ? { grey: 2, '16-bit': 2, cmyk: 1 } : { grey: 2, '16-bit': 2 });
    expect(ds.report.issues).toEqual([]);
    for await (const b of ds.batches(req({ batchSize: 4, dropLast: false }))) expect(b.images.every((v) => v >= -1 && v <= 1)).toBe(true);
    const rec = recorder();
    const strict = await open(root, { rejectConversions: ['grey', '16-bit', 'cmyk'], log: rec.log });
    expect(strict.size).toBe(4);
    expect(rec.lines.map((l) => l.split(': ').at(-1)).sort()).toEqual(rejected.sort());
    expect(rec.lines.every((l) => l.includes('rejected conversion'))).toBe(true);
    const err = await open(root, { rejectConversions: ['16-bit'], badData: 'stop' }).catch((e: unknown) => e);
    expect((err as DataError).kind).toBe('conversion-rejected');
  });

  test('a file that passes the header check but fails to decode: dropped from its batch (skip) or an error (stop)', async () => {
    const root = imageFolder(tempDir(), SPEC, 16);
    const png = pngBytes({ width: 16, height: 16, colorType: 2, bitDepth: 8, samples: new Uint8Array(768).fill(3) });
    const idat = png.findIndex((b, i) => String.fromCharCode(b, png[i + 1] ?? 0, png[i + 2] ?? 0, png[i + 3] ?? 0) === 'IDAT');
    png[idat + 8] = (png[idat + 8] as number) ^ 0x55; // bad CRC / deflate data, structure intact
    const bad = writeFile(join(root, 'carol', 'bad-crc.png'), png);
    const rec = recorder();
    const ds = await open(root, { log: rec.log, workers: 1 });
    expect(ds.size).toBe(40); // passes the header check
    const all = await collect(ds, req({ dropLast: false }));
    expect(all.reduce((n, b) => n + b.labels.length, 0)).toBe(39);
    expect(rec.lines.filter((l) => l.includes(bad))).toHaveLength(1);
    for (const b of all) b.labels.forEach((l, i) => expect(SORTED[l]).toBe(identityOf(b.ids?.[i] as string, root)));
    await collect(ds, req({ dropLast: false, epoch: 1 }));
    expect(rec.lines.filter((l) => l.includes(bad))).toHaveLength(1); // reported once, not every epoch
    expect(ds.report.issueCounts).toEqual({ corrupt: 1 });
    await ds.close();
    const strict = await open(root, { badData: 'stop' });
    await expect(collect(strict, req({ dropLast: false }))).rejects.toThrow(bad);
    expect(readFileSync(bad).length).toBe(png.length);
  });

  test('validate: decode finds corrupt data at open', async () => {
    const root = imageFolder(tempDir(), { a: 2 }, 16);
    const png = pngBytes({ width: 4, height: 4, colorType: 2, bitDepth: 8, samples: new Uint8Array(48) });
    const idat = png.findIndex((b, i) => String.fromCharCode(b, png[i + 1] ?? 0, png[i + 2] ?? 0, png[i + 3] ?? 0) === 'IDAT');
    png[idat + 8] = (png[idat + 8] as number) ^ 0x55;
    writeFile(join(root, 'a', 'x.png'), png);
    expect((await open(root)).size).toBe(3);
    expect((await open(root, { validate: 'decode' })).size).toBe(2);
  });
});
