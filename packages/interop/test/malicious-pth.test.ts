/**
 * A `.pth` is a pickle: `torch.load` (weights_only=False, torch's default before 2.6) runs any
 * callable it names. Ours never calls Python, and refuses any global outside the few a state dict
 * uses before reading further. The committed fixture is a real attack (torch.save of an object
 * whose __reduce__ is os.system("touch fr-interop-pwned")): with torch installed the test first
 * shows torch.load really runs it, then that readPth refuses it and nothing appears.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { PyCall, PyGlobal, PyTuple, pickleDumps } from '@fr/data';
import { readPth } from '@fr/interop';
import { writeZip } from '../src/pth/zip.js';
import { fixture } from './support/fixtures.js';
import { HAVE_TORCH, runPython, warnNoTorch } from './support/python.js';

const MARKER = 'fr-interop-pwned';
const dir = mkdtempSync(join(tmpdir(), 'fr-interop-evil-'));
warnNoTorch('malicious-pth.test');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A torch.save-shaped archive whose data.pkl is `pickle`. */
function archive(pickle: Uint8Array): Uint8Array {
  return writeZip([{ name: 'evil/data.pkl', data: pickle }, { name: 'evil/version', data: new TextEncoder().encode('3\n') }]);
}

describe('a malicious .pth is refused and nothing runs', () => {
  test.runIf(HAVE_TORCH)('control: torch.load of the fixture really executes its payload', () => {
    const cwd = mkdtempSync(join(dir, 'torch-'));
    runPython(['-c', `import torch; torch.load(${JSON.stringify(fileURLToPath(new URL('fixtures/malicious.pth', import.meta.url)))})`], cwd);
    expect(existsSync(join(cwd, MARKER))).toBe(true);
  });

  test('readPth refuses the fixture at the posix.system global, and no marker file appears', () => {
    const before = existsSync(join(process.cwd(), MARKER));
    expect(() => readPth(fixture('malicious.pth'), 'malicious.pth')).toThrow(/pickle malicious\.pth: refusing to call posix\.system \(only plain data and torch\._utils\._rebuild_tensor_v2, .* is supported/);
    expect(existsSync(join(process.cwd(), MARKER))).toBe(before);
    expect(before).toBe(false);
  });

  test('pickles built here: os.system, builtins.eval, a model class, exec through getattr — each refused by name, before any later opcode', () => {
    const marker = join(dir, 'marker');
    const attacks: [PyGlobal, string][] = [
      [new PyGlobal('os', 'system'), `touch ${marker}`],
      [new PyGlobal('builtins', 'eval'), `open(${JSON.stringify(marker)}, "w")`],
      [new PyGlobal('__builtin__', 'exec'), `open(${JSON.stringify(marker)}, "w")`],
      [new PyGlobal('backbones.iresnet', 'IResNet'), ''],
      [new PyGlobal('builtins', 'getattr'), 'system'],
    ];
    for (const [callable, argument] of attacks) {
      const bytes = archive(pickleDumps(new PyCall(callable, new PyTuple([argument])), 2));
      writeFileSync(join(dir, 'evil.pth'), bytes);
      expect(() => readPth(bytes, 'evil.pth')).toThrow(new RegExp(`pickle evil\\.pth: refusing to call ${callable.qualified.replace(/\./g, '\\.')}`));
    }
    expect(existsSync(marker)).toBe(false);
  });

  test('a storage type used as a callable is refused too (allowed only as a name)', () => {
    const bytes = archive(pickleDumps(new PyCall(new PyGlobal('torch', 'FloatStorage'), new PyTuple([3])), 2));
    expect(() => readPth(bytes, 'odd.pth')).toThrow(/odd\.pth: refusing to call torch\.FloatStorage/);
  });
});
