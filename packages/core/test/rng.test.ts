import { describe, expect, test } from 'vitest';
import { Rng } from '../src/index.js';

describe('Rng', () => {
  test('same seed → same stream; different seed → different stream', () => {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    const c = Rng.fromSeed(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test('forked streams depend on the seed and name only, not on the parent position', () => {
    const a = Rng.fromSeed(1);
    const early = a.fork('plugin:x').next();
    a.next();
    a.next();
    expect(a.fork('plugin:x').next()).toBe(early);
    expect(a.fork('plugin:y').next()).not.toBe(early);
  });

  test('state round trip continues the exact stream', () => {
    const a = Rng.fromSeed(7).fork('data');
    a.normal();
    a.int(10);
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const expected = [a.next(), a.normal(), a.int(1000)];
    const b = Rng.fromState(saved);
    expect([b.next(), b.normal(), b.int(1000)]).toEqual(expected);
    expect(() => Rng.fromSeed(7).fork('other').setState(saved)).toThrow(/cannot be loaded into stream/);
  });

  test('distributions are plausible', () => {
    const r = Rng.fromSeed(3);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    const counts = new Array(4).fill(0);
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
      counts[r.int(4)]++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.02);
    const p = r.permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => r.int(0)).toThrow(/positive integer/);
  });
});
