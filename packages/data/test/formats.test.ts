import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  DataError,
  InsightfaceRec,
  InsightfaceRecWriter,
  PyCall,
  PyGlobal,
  PyObject,
  PyPersistentId,
  PyTuple,
  RECORDIO_MAGIC,
  RecordFile,
  RecordIODataset,
  RecordIOWriter,
  decodeRecord,
  encodeRecord,
  packIRHeader,
  parseVerificationBin,
  pickleDumps,
  pickleLoads,
  readRecordIndex,
  readVerificationBin,
  unpackIRHeader,
  writeVerificationBin,
  type PickleValue,
} from '@fr/data';
import { cleanupTemps, hasPython, jpegBytes, python, tempDir } from './helpers.js';

afterAll(cleanupTemps);

const MAGIC_LE = [0x0a, 0x23, 0xd7, 0xce];
const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

describe('RecordIO framing', () => {
  test('a plain record: magic, lrecord (cflag 0 | length), payload, zero padding to 4 bytes', () => {
    const rec = encodeRecord(Uint8Array.from([1, 2, 3, 4, 5]));
    expect(rec.length).toBe(8 + 8);
    expect(u32(rec, 0)).toBe(RECORDIO_MAGIC);
    expect(u32(rec, 4)).toBe(5);
    expect(Array.from(rec.subarray(8))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(Array.from(decodeRecord(rec, 0).payload)).toEqual([1, 2, 3, 4, 5]);
  });

  test('a payload holding the magic word at aligned offsets is split as dmlc-core does, and joined back', () => {
    const payload = Uint8Array.from([9, 9, 9, 9, ...MAGIC_LE, 7, 7, 7, 7, 7, 7, 7, 7, ...MAGIC_LE, 1, 2, 3, 0xce]);
    const rec = encodeRecord(payload);
    // part 1: cflag 1, 4 bytes; part 2: cflag 2, 8 bytes; part 3: cflag 3, 4 bytes + padding.
    expect(u32(rec, 4)).toBe(((1 << 29) | 4) >>> 0);
    expect(u32(rec, 16)).toBe(((2 << 29) | 8) >>> 0);
    expect(u32(rec, 32)).toBe(((3 << 29) | 4) >>> 0);
    expect(rec.length).toBe(8 + 4 + 8 + 8 + 8 + 4);
    const { payload: back, next } = decodeRecord(rec, 0);
    expect(Array.from(back)).toEqual(Array.from(payload));
    expect(next).toBe(rec.length);
    // Unaligned magic is not split.
    const unaligned = Uint8Array.from([1, ...MAGIC_LE, 2, 3, 4]);
    expect(u32(encodeRecord(unaligned), 4)).toBe(8);
  });

  test('writer, index and reader agree (random and sequential access)', () => {
    const dir = tempDir();
    const w = RecordIOWriter.create(join(dir, 'x.rec'), join(dir, 'x.idx'));
    const payloads = [Uint8Array.from([1]), new Uint8Array(0), Uint8Array.from([...MAGIC_LE, 5, 6]), new Uint8Array(70_000).map((_, i) => i & 255)];
    payloads.forEach((p, i) => w.write(p, i * 10));
    w.close();
    const index = readRecordIndex(join(dir, 'x.idx'));
    expect(index.map((e) => e.key)).toEqual([0, 10, 20, 30]);
    expect(readFileSync(join(dir, 'x.idx'), 'utf8').split('\n')[1]).toBe(`10\t${index[1]?.offset}`);
    const f = RecordFile.open(join(dir, 'x.rec'));
    index.forEach((e, i) => expect(Array.from(f.readAt(e.offset))).toEqual(Array.from(payloads[i] as Uint8Array)));
    const seq = [...f.records()];
    expect(seq.map((r) => r.offset)).toEqual(index.map((e) => e.offset));
    f.close();
  });

  test('corrupt containers name the file and the byte', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.rec');
    writeFileSync(path, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const f = RecordFile.open(path);
    expect(() => f.readAt(0)).toThrow(/not a RecordIO record at byte 0 .*bad\.rec/);
    f.close();
    writeFileSync(path, encodeRecord(new Uint8Array(40)).subarray(0, 20));
    const g = RecordFile.open(path);
    expect(() => g.readAt(0)).toThrow(/cut short/);
    expect(() => [...g.records()]).toThrow(/cut short/);
    g.close();
  });
});

describe('IRHeader', () => {
  test('scalar and array labels, as mx.recordio.pack/unpack', () => {
    const a = packIRHeader({ label: 7, id: 12, id2: 0 }, Uint8Array.from([0xff, 0xd8]));
    expect(a.length).toBe(26);
    expect(unpackIRHeader(a)).toEqual({ header: { flag: 0, label: 7, id: 12, id2: 0 }, data: Uint8Array.from([0xff, 0xd8]) });
    const b = packIRHeader({ label: [3, 1], id: 5 }, new Uint8Array(0));
    expect(u32(b, 0)).toBe(2);
    expect(new DataView(b.buffer).getFloat32(4, true)).toBe(0);
    expect(unpackIRHeader(b).header).toEqual({ flag: 2, label: [3, 1], id: 5, id2: 0 });
  });
});

describe('insightface .rec/.idx', () => {
  test('written layout: record 0 header, images with class labels, identity ranges', () => {
    const dir = tempDir();
    const imgs = [jpegBytes(8, 8, 1), jpegBytes(8, 8, 2), jpegBytes(8, 8, 3), jpegBytes(8, 8, 4)];
    const w = InsightfaceRecWriter.create(join(dir, 'train'));
    w.addImage(0, imgs[0] as Uint8Array);
    w.addImage(0, imgs[1] as Uint8Array);
    w.addImage(2, imgs[2] as Uint8Array); // class 1 has no image: empty range
    w.addImage(2, imgs[3] as Uint8Array);
    expect(() => w.addImage(1, imgs[0] as Uint8Array)).toThrow(/increasing class order/);
    const summary = w.close(4);
    expect(summary).toMatchObject({ images: 4, identities: 4 });
    const index = readRecordIndex(join(dir, 'train.idx'));
    expect(index.map((e) => e.key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(index[0]?.offset).toBe(0);
    const f = RecordFile.open(join(dir, 'train.rec'));
    const at = (key: number): ReturnType<typeof unpackIRHeader> => unpackIRHeader(f.readAt(index.find((e) => e.key === key)?.offset as number));
    expect(at(0).header).toEqual({ flag: 2, label: [5, 9], id: 0, id2: 0 });
    expect(at(1).header).toEqual({ flag: 0, label: 0, id: 1, id2: 0 });
    expect(Array.from(at(3).data)).toEqual(Array.from(imgs[2] as Uint8Array));
    expect([5, 6, 7, 8].map((k) => at(k).header.label)).toEqual([
      [1, 3],
      [3, 3],
      [3, 5],
      [5, 5],
    ]);
    f.close();
    const rec = InsightfaceRec.open(join(dir, 'train.rec'));
    expect(rec.numClasses).toBe(4);
    expect(rec.images.map((i) => [i.key, i.label])).toEqual([
      [1, 0],
      [2, 0],
      [3, 2],
      [4, 2],
    ]);
    expect(Array.from(rec.readImage(3).data)).toEqual(Array.from(imgs[3] as Uint8Array));
    rec.close();
  });

  test('reads the face2rec2 variant (array labels [class, aligned]) and flat files without header or .idx', () => {
    const dir = tempDir();
    // face2rec2: images first (keys 1..), then record 0, then identity records; image labels are arrays.
    const w = RecordIOWriter.create(join(dir, 'f2r.rec'), join(dir, 'f2r.idx'));
    w.write(packIRHeader({ label: [0, 1], id: 1 }, jpegBytes(8, 8, 1)), 1);
    w.write(packIRHeader({ label: [1, 1], id: 2 }, jpegBytes(8, 8, 2)), 2);
    w.write(packIRHeader({ label: [1, 1], id: 3 }, jpegBytes(8, 8, 3)), 3);
    w.write(packIRHeader({ label: [4, 6], id: 0 }, new Uint8Array(0)), 0);
    w.write(packIRHeader({ label: [1, 2], id: 4 }, new Uint8Array(0)), 4);
    w.write(packIRHeader({ label: [2, 4], id: 5 }, new Uint8Array(0)), 5);
    w.close();
    const viaIdentities = InsightfaceRec.open(join(dir, 'f2r'));
    expect(viaIdentities.images.map((i) => i.label)).toEqual([0, 1, 1]);
    viaIdentities.close();
    const viaHeaders = InsightfaceRec.open(join(dir, 'f2r'), { labelSource: 'headers' });
    expect(viaHeaders.images.map((i) => i.label)).toEqual([0, 1, 1]);
    viaHeaders.close();

    const flat = RecordIOWriter.create(join(dir, 'flat.rec'));
    [3, 0, 3].forEach((label, i) => flat.write(packIRHeader({ label, id: i }, jpegBytes(8, 8, i))));
    flat.close();
    const r = InsightfaceRec.open(join(dir, 'flat.rec'));
    expect(r.idxPath).toBeUndefined();
    expect(r.header0).toBeUndefined();
    expect(r.numClasses).toBe(4);
    expect(r.images.map((i) => i.label)).toEqual([3, 0, 3]);
    r.close();
  });

  test('RecordIODataset trains from a .rec and checks header labels against identity ranges', async () => {
    const dir = tempDir();
    const w = InsightfaceRecWriter.create(join(dir, 'train'));
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) w.addImage(c, jpegBytes(12, 12, c * 10 + i));
    w.close();
    const ds = await RecordIODataset.open(join(dir, 'train'), { inputSize: 12, workers: 1, log: null });
    expect([ds.numClasses, ds.size]).toEqual([3, 12]);
    const seen: number[] = [];
    for await (const b of ds.batches({ epoch: 0, seed: 3, batchSize: 5, fromBatch: 0, dropLast: false })) {
      expect(b.shape.slice(1)).toEqual([12, 12, 3]);
      // keys 1–4 are class 0, 5–8 class 1, 9–12 class 2
      b.labels.forEach((l, i) => expect(Math.floor((Number((b.ids?.[i] as string).split('#')[1]) - 1) / 4)).toBe(l));
      seen.push(...b.labels);
    }
    expect(seen.sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(ds.report.decoding).toBe('workers');
    await ds.close();
    // Tamper with one identity range: the header labels now disagree and batches stop, naming the record.
    const idx = readRecordIndex(join(dir, 'train.idx'));
    const recBytes = readFileSync(join(dir, 'train.rec'));
    const id0 = idx.find((e) => e.key === 13)?.offset as number; // first identity record
    new DataView(recBytes.buffer, recBytes.byteOffset).setFloat32(id0 + 8 + 24 + 4, 6, true); // class 0 = keys [1, 6)
    new DataView(recBytes.buffer, recBytes.byteOffset).setFloat32(idx.find((e) => e.key === 14)?.offset as number + 8 + 24, 6, true);
    writeFileSync(join(dir, 'train.rec'), recBytes);
    const bad = await RecordIODataset.open(join(dir, 'train'), { inputSize: 12, workers: 0, log: null, sampler: 'sequential' });
    const run = async (): Promise<void> => {
      for await (const _ of bad.batches({ epoch: 0, seed: 0, batchSize: 12, fromBatch: 0, dropLast: false })) void _;
    };
    await expect(run()).rejects.toThrow(/train\.rec#5 has class 1 in its header but 0/);
  });
});

describe('pickle', () => {
  const sample: PickleValue = new PyTuple([[Uint8Array.from([0, 255, 10]), new Uint8Array(300).fill(7)], [true, false, true]]);

  test('round trips in TypeScript for protocols 2, 3 and 4', () => {
    for (const protocol of [2, 3, 4] as const) {
      const back = pickleLoads(pickleDumps(sample, protocol)) as PyTuple;
      expect(back).toBeInstanceOf(PyTuple);
      expect(back.items).toEqual((sample as PyTuple).items);
    }
    const misc: PickleValue = [null, 0, -1, 255, 65536, -(2 ** 31), 2 ** 40, 1.5, 'héllo', new Map<PickleValue, PickleValue>([['k', [1]]]), new PyTuple([]), 12345678901234567890n];
    expect(pickleLoads(pickleDumps(misc, 4))).toEqual(misc);
  });

  test('reads a Python 2 pickle (str as raw bytes, I01/I00 booleans, protocol 0) and refuses code', () => {
    // pickle.dumps((['\xff\xd8'], [True, False]), 0) under Python 2
    const py2 = new TextEncoder().encode("((lp0\nS'\\xff\\xd8'\np1\naI01\naI00\na(lp2\nI01\naI00\natp3\n.");
    const v = pickleLoads(py2) as PyTuple;
    expect(v.items[0]).toEqual([Uint8Array.from([0xff, 0xd8]), true, false]);
    expect(v.items[1]).toEqual([true, false]);
    const evil = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
    expect(() => pickleLoads(evil, 'evil.pkl')).toThrow(/evil\.pkl: refusing to call os\.system/);
  });

  test('caller hooks: named callables, value-only globals, persistent ids and BUILD; round trip through the writer; anything else refused at GLOBAL', () => {
    const storage = new PyGlobal('torch', 'FloatStorage');
    const ordered = new PyGlobal('collections', 'OrderedDict');
    const value = new PyCall(ordered, new PyTuple([]), {
      dictItems: new Map<PickleValue, PickleValue>([['w', new PyCall(new PyGlobal('m', 'make'), new PyTuple([new PyPersistentId(new PyTuple(['storage', storage, '0'])), 3]))]]),
      state: new Map<PickleValue, PickleValue>([['_metadata', 1]]),
    });
    const bytes = pickleDumps(value, 2);
    const calls: string[] = [];
    const back = pickleLoads(bytes, 'hooks.pkl', {
      callables: {
        'collections.OrderedDict': () => new Map(),
        'm.make': (args) => new PyObject('made', args),
      },
      names: ['torch.FloatStorage'],
      persistentLoad: (id) => {
        calls.push('persistent');
        const items = (id as PyTuple).items;
        expect(items[1]).toBeInstanceOf(PyGlobal);
        return new PyObject('storage', (items[1] as PyGlobal).qualified);
      },
      build: (target, state) => {
        calls.push(`build ${[...(state as Map<PickleValue, PickleValue>).keys()].join()}`);
        return target;
      },
    }) as Map<PickleValue, PickleValue>;
    expect(calls).toEqual(['persistent', 'build _metadata']);
    const made = back.get('w') as PyObject;
    expect(made.type).toBe('made');
    expect(made.value).toEqual([new PyObject('storage', 'torch.FloatStorage'), 3]);
    // Without the hooks each feature is refused, naming it.
    expect(() => pickleLoads(bytes, 'hooks.pkl')).toThrow(/hooks\.pkl: refusing to call collections\.OrderedDict/);
    expect(() => pickleLoads(pickleDumps(new PyPersistentId('x')), 'p.pkl')).toThrow(/p\.pkl: persistent ids .* not supported/);
    // A global outside the allowed set stops the read at its own opcode, before what follows it.
    const evil = pickleDumps(new PyTuple([new PyCall(new PyGlobal('posix', 'system'), new PyTuple(['touch x'])), new PyPersistentId('never read')]), 2);
    expect(() => pickleLoads(evil, 'evil.pth', { callables: { 'collections.OrderedDict': () => new Map() }, persistentLoad: () => { throw new Error('reached'); } }))
      .toThrow(/evil\.pth: refusing to call posix\.system \(only plain data and collections\.OrderedDict is supported/);
  });

  test.runIf(hasPython())('Python reads what we write (protocols 2–4) and we read what Python writes (protocols 2–5)', () => {
    const dir = tempDir();
    for (const protocol of [2, 3, 4] as const) {
      const path = join(dir, `ours-${protocol}.pkl`);
      writeFileSync(path, pickleDumps(sample, protocol));
      const out = python('import pickle,sys,json; b,s=pickle.load(open(sys.argv[1],"rb")); print(json.dumps([[list(x) if len(x)<10 else [len(x), x[0]] for x in b], s, type(b[0]).__name__]))', [path]);
      expect(JSON.parse(out)).toEqual([[[0, 255, 10], [300, 7]], [true, false, true], 'bytes']);
    }
    for (const protocol of [2, 3, 4, 5]) {
      const path = join(dir, `py-${protocol}.pkl`);
      python(`import pickle,sys; pickle.dump(([bytes([0,255,10]), bytes([7])*300, b""], [True, False, True], {"n": 3, "f": 2.5, "s": "é"}), open(sys.argv[1],"wb"), protocol=${protocol})`, [path]);
      const v = pickleLoads(readFileSync(path), path) as PyTuple;
      expect(v.items[0]).toEqual([Uint8Array.from([0, 255, 10]), new Uint8Array(300).fill(7), new Uint8Array(0)]);
      expect(v.items[1]).toEqual([true, false, true]);
      expect(v.items[2]).toEqual(new Map<PickleValue, PickleValue>([['n', 3], ['f', 2.5], ['s', 'é']]));
    }
  });
});

describe('verification .bin', () => {
  test('round trip, validation of the structure', () => {
    const dir = tempDir();
    const bin = { images: [jpegBytes(8, 8, 1), jpegBytes(8, 8, 2), jpegBytes(8, 8, 3), jpegBytes(8, 8, 4)], issame: [true, false] };
    writeVerificationBin(join(dir, 'x.bin'), bin);
    const back = readVerificationBin(join(dir, 'x.bin'));
    expect(back.issame).toEqual([true, false]);
    back.images.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(bin.images[i] as Uint8Array)));
    const odd = pickleDumps(new PyTuple([[Uint8Array.from([1])], [true]]));
    expect(() => parseVerificationBin(odd, 'odd.bin')).toThrow(DataError);
    expect(() => parseVerificationBin(odd, 'odd.bin')).toThrow(/1 images for 1 pairs.*odd\.bin/);
    expect(() => parseVerificationBin(Uint8Array.from([1, 2, 3]), 'junk.bin')).toThrow(/not a readable verification \.bin.*junk\.bin/);
  });

  test.runIf(hasPython())('insightface-style loading in Python: pickle.load(f, encoding="bytes") and plain pickle.load', () => {
    const dir = tempDir();
    const bin = { images: [jpegBytes(8, 8, 1), jpegBytes(8, 8, 2)], issame: [true] };
    for (const protocol of [2, 3, 4] as const) {
      const path = join(dir, `v${protocol}.bin`);
      writeVerificationBin(path, bin, protocol);
      const out = python(
        'import pickle,sys,hashlib; b,s=pickle.load(open(sys.argv[1],"rb"), encoding="bytes"); b2,_=pickle.load(open(sys.argv[1],"rb")); print(len(b), s, hashlib.sha256(b[1]).hexdigest(), b2==b)',
        [path],
      );
      const [n, same, digest, equal] = out.trim().split(' ');
      expect([n, same, equal]).toEqual(['2', '[True]', 'True']);
      expect(digest).toBe(createHash('sha256').update(bin.images[1] as Uint8Array).digest('hex'));
    }
  });
});
