import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  encodeCheckpoint, decodeCheckpoint, writeCheckpointFile, writeFileAtomic, readCheckpointFile, listCheckpoints, latestCheckpoint, pruneCheckpoints, checkpointPath,
} from '../src/index.js';

const contents = () => ({
  meta: { step: 3, note: 'x' },
  tensors: new Map([
    ['a', { dtype: 'float32' as const, shape: [2, 2], data: Float32Array.from([1, -2, 3.5, Number.MIN_VALUE]) }],
    ['b', { dtype: 'int32' as const, shape: [3], data: Int32Array.from([7, -1, 2 ** 30]) }],
  ]),
});

describe('checkpoint container', () => {
  test('round trip is exact', () => {
    const back = decodeCheckpoint(encodeCheckpoint(contents()));
    expect(back.meta).toEqual({ step: 3, note: 'x' });
    expect(Array.from(back.tensors.get('a')?.data ?? [])).toEqual([1, -2, 3.5, Number.MIN_VALUE * 0 + Float32Array.from([Number.MIN_VALUE])[0]!]);
    expect(back.tensors.get('b')).toEqual({ dtype: 'int32', shape: [3], data: Int32Array.from([7, -1, 2 ** 30]) });
  });

  test('truncated, corrupted and foreign files are rejected with the reason', () => {
    const bytes = encodeCheckpoint(contents());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3), 'x.frckpt')).toThrow(/x\.frckpt: file is truncated: \d+ of \d+ data bytes/);
    const bad = bytes.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
    expect(() => decodeCheckpoint(bad)).toThrow(/CRC-32 mismatch/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world'))).toThrow(/bad magic/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 20))).toThrow(/truncated inside its header/);
  });

  test('files: atomic write, listing, latest, pruning of old checkpoints and stale temp files', async () => {
    const dir = mkdtempSync(`${tmpdir()}/fr-ckpt-`);
    for (const step of [5, 10, 15]) await writeCheckpointFile(checkpointPath(dir, step), contents());
    writeFileSync(`${dir}/step-00000020.frckpt.tmp-999999-1`, 'partial write of a killed process');
    expect((await listCheckpoints(dir)).map((c) => c.step)).toEqual([5, 10, 15]);
    expect(await latestCheckpoint(dir)).toBe(checkpointPath(dir, 15));
    await pruneCheckpoints(dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['step-00000010.frckpt', 'step-00000015.frckpt']);
    expect((await readCheckpointFile(checkpointPath(dir, 15))).meta.step).toBe(3);
    await expect(readCheckpointFile(`${dir}/missing.frckpt`)).rejects.toThrow(/missing\.frckpt: no such file/);
    expect(readFileSync(checkpointPath(dir, 10)).subarray(0, 8).toString()).toBe('FRCKPT01');
  });

  test('writeFileAtomic replaces a file, leaves no temporary file, and cleans up after a failure', async () => {
    const dir = mkdtempSync(`${tmpdir()}/fr-atomic-`);
    writeFileSync(`${dir}/a.txt`, 'old');
    await writeFileAtomic(`${dir}/a.txt`, 'new');
    expect(readFileSync(`${dir}/a.txt`, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.txt']);
    await expect(writeFileAtomic(`${dir}/a.txt/b.txt`, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});
