import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const coreDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/gradient-smoke.mts', import.meta.url));

/** d/d(x, w) of Σ conv(x, w)² for x = 1..9 (3×3), w = ones (2×2), valid: by hand. */
function expected(): { gx: number[]; gw: number[] } {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const gx = new Array(9).fill(0);
  const gw = new Array(4).fill(0);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      const window = [x[i * 3 + j]!, x[i * 3 + j + 1]!, x[(i + 1) * 3 + j]!, x[(i + 1) * 3 + j + 1]!];
      const y = window.reduce((a, b) => a + b, 0);
      [[i, j], [i, j + 1], [i + 1, j], [i + 1, j + 1]].forEach(([r, c], k) => {
        gx[r! * 3 + c!] += 2 * y;
        gw[k] += 2 * y * window[k]!;
      });
    }
  }
  return { gx, gw };
}

describe('@fr/core loads with its gradients under every loader', () => {
  test('the TypeScript sources run as ESM under tsx (no tfjs-core per-file imports)', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: coreDir, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(expected());
  });
});
