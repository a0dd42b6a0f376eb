/**
 * The event file read back by an independent parser written here: TFRecord framing with its own
 * bitwise CRC-32C (not the table code under test), and protobuf wire-format decoding by hand.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { StepEvent, TrainerEvent } from '@fr/core';
import { tensorboardLogger } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fr-tb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

interface Field { readonly number: number; readonly wire: number; readonly value: bigint | Uint8Array | number }

function readVarint(buf: Uint8Array, at: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[at.i++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

function decodeMessage(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  const at = { i: 0 };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (at.i < buf.length) {
    const key = Number(readVarint(buf, at));
    const number = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ number, wire, value: readVarint(buf, at) });
    else if (wire === 1) { fields.push({ number, wire, value: view.getFloat64(at.i, true) }); at.i += 8; }
    else if (wire === 5) { fields.push({ number, wire, value: view.getFloat32(at.i, true) }); at.i += 4; }
    else if (wire === 2) {
      const len = Number(readVarint(buf, at));
      fields.push({ number, wire, value: buf.subarray(at.i, at.i + len) });
      at.i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

interface ReadEvent { wallTime?: number; step: number; fileVersion?: string; values?: Record<string, number>; sessionStatus?: number }

function readEventFile(path: string): ReadEvent[] {
  const buf = new Uint8Array(readFileSync(path));
  const view = new DataView(buf.buffer);
  const events: ReadEvent[] = [];
  let i = 0;
  while (i < buf.length) {
    const length = Number(view.getBigUint64(i, true));
    expect(view.getUint32(i + 8, true), `length CRC of record ${events.length}`).toBe(mask(crc32cBitwise(buf.subarray(i, i + 8))));
    const data = buf.subarray(i + 12, i + 12 + length);
    expect(view.getUint32(i + 12 + length, true), `data CRC of record ${events.length}`).toBe(mask(crc32cBitwise(data)));
    i += 12 + length + 4;
    const event: ReadEvent = { step: 0 };
    for (const f of decodeMessage(data)) {
      if (f.number === 1) event.wallTime = f.value as number;
      else if (f.number === 2) event.step = Number(f.value);
      else if (f.number === 3) event.fileVersion = new TextDecoder().decode(f.value as Uint8Array);
      else if (f.number === 5) {
        event.values = {};
        for (const v of decodeMessage(f.value as Uint8Array).filter((x) => x.number === 1)) {
          const inner = decodeMessage(v.value as Uint8Array);
          const tag = new TextDecoder().decode(inner.find((x) => x.number === 1)!.value as Uint8Array);
          const simple = inner.find((x) => x.number === 2)!;
          expect(simple.wire).toBe(5); // simple_value is a float
          event.values[tag] = simple.value as number;
        }
      } else if (f.number === 7) event.sessionStatus = Number(decodeMessage(f.value as Uint8Array).find((x) => x.number === 1)!.value);
    }
    events.push(event);
  }
  expect(i).toBe(buf.length);
  return events;
}

const step = (s: number, loss: number): StepEvent => ({
  type: 'step', step: s, epoch: 0, batchInEpoch: s + 1, loss, terms: { ce: loss - 0.25, 'boundaryface/reg': 0.25 },
  metrics: { 'boundaryface/corrected': s }, lr: 0.1 / (s + 1), gradNorm: 2 + s, clipped: false, skipped: false, batchSize: 32,
  stepSeconds: 0.5, dataSeconds: 0.01, imagesPerSecond: 63.5,
});

describe('TensorBoard event file', () => {
  test('every record framed with valid masked CRC-32Cs; version first; scalars, evaluations and a resume marker decode to what was logged', () => {
    const tb = tensorboardLogger(join(dir, 'run'));
    const events: TrainerEvent[] = [
      { type: 'start', step: 0, totalSteps: 3, backend: 'cpu', parameters: 1, composition: { backbone: 'x', plugins: [] }, resumedFrom: null, time: '' },
      step(0, 4.5), step(1, 4.25),
      { type: 'eval', step: 2, name: 'lfw', metrics: { accuracy: 0.875, auc: 0.9375 }, seconds: 1 },
      { type: 'start', step: 1, totalSteps: 3, backend: 'cpu', parameters: 1, composition: { backbone: 'x', plugins: [] }, resumedFrom: 'ckpt', time: '' },
      step(1, 4.125),
    ];
    for (const e of events) tb.listener(e);
    expect(readdirSync(join(dir, 'run'))).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d+\.\S+$/)]);
    const read = readEventFile(tb.writer.file);
    expect(read[0]).toMatchObject({ step: 0, fileVersion: 'brain.Event:2' });
    expect(read[0]!.wallTime).toBeGreaterThan(1.6e9);
    expect(read.slice(1).map((e) => e.step)).toEqual([1, 2, 2, 2, 2]);
    expect(read[1]!.values).toEqual({
      'train/loss': 4.5, 'train/lr': Math.fround(0.1), 'train/grad_norm': 2, 'train/images_per_second': 63.5,
      'terms/ce': 4.25, 'terms/boundaryface/reg': 0.25, 'metrics/boundaryface/corrected': 0,
    });
    expect(read[2]!.values!['train/lr']).toBeCloseTo(0.05, 7); // float32
    expect(read[3]!.values).toEqual({ 'eval/lfw/accuracy': 0.875, 'eval/lfw/auc': 0.9375 });
    expect(read[4]).toMatchObject({ step: 2, sessionStatus: 1 }); // SessionLog START after 1 step done
    expect(read[5]!.values!['train/loss']).toBe(4.125);
  });

  test('a record whose data is damaged fails its CRC in the independent reader', () => {
    const tb = tensorboardLogger(join(dir, 'damaged'));
    tb.listener(step(0, 1));
    const bytes = readFileSync(tb.writer.file);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff;
    const copy = join(dir, 'damaged', 'copy.tfevents');
    writeFileSync(copy, bytes);
    expect(() => readEventFile(copy)).toThrow(/data CRC of record 1/);
  });
});
