/**
 * The committed wasm SIMD artefacts: the base64 module the kernels load is the committed .wasm
 * file, and — where clang, lld and binaryen are installed — a rebuild from the C sources
 * reproduces both byte for byte (`npm run build:kernels` rewrites them).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { SIMD_PLAIN_BASE64, SIMD_SHA256, SIMD_SHARED_BASE64 } from '../src/kernels/simd/binaries.js';

const simdDir = fileURLToPath(new URL('../simd/', import.meta.url));
const hasToolchain = ['clang', 'wasm-ld', 'wasm-opt'].every((tool) => spawnSync(tool, ['--version']).status === 0);

describe('wasm SIMD artefacts', () => {
  test('binaries.ts holds the committed fr-simd.wasm and fr-simd-shared.wasm', () => {
    for (const [file, base64, sha] of [
      ['fr-simd.wasm', SIMD_PLAIN_BASE64, SIMD_SHA256.plain],
      ['fr-simd-shared.wasm', SIMD_SHARED_BASE64, SIMD_SHA256.shared],
    ] as const) {
      const bytes = readFileSync(`${simdDir}${file}`);
      expect(Buffer.from(base64, 'base64').equals(bytes), `${file} differs from binaries.ts: run npm run build:kernels`).toBe(true);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }
  });

  test.skipIf(!hasToolchain)('a rebuild from simd/src reproduces them (needs clang, lld, binaryen)', () => {
    const r = spawnSync(process.execPath, [`${simdDir}build.mjs`, '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    // "skipped" only when this machine's clang is another version than the one that built them.
    expect(r.stdout).toMatch(/^(ok: a rebuild with .* reproduces|skipped: the artefacts were built with)/m);
  });
});
