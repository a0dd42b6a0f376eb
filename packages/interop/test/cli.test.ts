/** fr-import / fr-export in process: every format out, the files read back, usage and input errors. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { exportCommand } from '../src/cli/export-command.js';
import { importCommand } from '../src/cli/import-command.js';
import { readPth, readSafetensors, importOnnx } from '@fr/interop';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fr-interop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: typeof importCommand, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('fr-import → fr-export', () => {
  test('an ONNX from torch becomes an @fr model, which exports to ONNX, GraphModel, .pth and .safetensors', async () => {
    const model = join(dir, 'mfn');
    const imported = await run(importCommand, [join(FIXTURES, 'mobilefacenet.onnx'), '--out', model]);
    expect(imported.err).toBe('');
    expect(imported.out).toMatch(/^imported .*mobilefacenet\.onnx \(onnx\) as mobilefacenet \{.*"blocks":\[1,2,3,1\].*\}: 0\.\d+ M parameters → .*mfn\/model\.json$/);
    expect(existsSync(join(model, 'model.json'))).toBe(true);
    const exported = await run(exportCommand, ['--model', model, '--onnx', join(dir, 'out/m.onnx'), '--graph-model', join(dir, 'out/web'), '--pth', join(dir, 'out/m.pth'), '--safetensors', join(dir, 'out/m.safetensors'), '--keep-batch-norm']);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.split('\n')).toHaveLength(4);
    expect(exported.out).toMatch(/wrote .*m\.onnx: mobilefacenet .*ONNX opset 17, batch norm kept/);
    expect(exported.out).toMatch(/wrote .*web\/model\.json: mobilefacenet .*tfjs GraphModel \(\d+ nodes\)/);
    const onnx = importOnnx(new Uint8Array(readFileSync(join(dir, 'out/m.onnx'))));
    expect(onnx.name).toBe('mobilefacenet');
    onnx.module.dispose();
    const pth = readPth(new Uint8Array(readFileSync(join(dir, 'out/m.pth'))));
    const st = readSafetensors(new Uint8Array(readFileSync(join(dir, 'out/m.safetensors')))).tensors;
    expect([...pth.keys()]).toEqual([...st.keys()]);
    expect(pth.has('features.layers.2.weight')).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'out/web/model.json'), 'utf8'))).toMatchObject({ format: 'graph-model', userDefinedMetadata: { fr: { architecture: 'mobilefacenet' } } });
  });

  test('fr-import passes --options and --cast-floats through', async () => {
    const refused = await run(importCommand, [join(FIXTURES, 'transface-float16.pth'), '--out', join(dir, 'vit16'), '--options', '{"heads": 2}']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/"pos_embed" is float16, expected float32 \(pass castFloats: true \/ --cast-floats to convert\)/);
    const ok = await run(importCommand, [join(FIXTURES, 'transface-float16.pth'), '--out', join(dir, 'vit16'), '--options', '{"heads": 2}', '--cast-floats']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/as transface_s \{.*"heads":2/);
  });
});

describe('errors', () => {
  test('usage errors exit 2 with the usage text', async () => {
    for (const [command, argv, message] of [
      [importCommand, [], /missing the model file/],
      [importCommand, ['x.pth'], /missing --out/],
      [importCommand, ['x.pth', '--out', 'o', '--options', '{heads'], /--options is not JSON/],
      [importCommand, ['x.pth', '--out', 'o', '--frobnicate'], /Unknown option '--frobnicate'/],
      [exportCommand, ['--onnx', 'a.onnx'], /missing --model/],
      [exportCommand, ['--model', 'm'], /nothing to write/],
      [exportCommand, ['--model', 'm', '--onnx', 'a.onnx', '--opset', '11'], /--opset needs an integer ≥ 17, got 11/],
    ] as const) {
      const r = await run(command, [...argv]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/usage: fr-(import|export)/);
    }
  });

  test('bad files exit 1 naming the problem; the malicious .pth is refused', async () => {
    const evil = await run(importCommand, [join(FIXTURES, 'malicious.pth'), '--out', join(dir, 'evil')]);
    expect(evil.code).toBe(1);
    expect(evil.err).toMatch(/refusing to call posix\.system/);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    const missing = await run(importCommand, [join(dir, 'nope.onnx'), '--out', join(dir, 'x')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/ENOENT.*nope\.onnx/);
    const noModel = await run(exportCommand, ['--model', join(dir, 'nothing'), '--onnx', join(dir, 'x.onnx')]);
    expect(noModel.code).toBe(1);
    expect(noModel.err).toMatch(/No model file at .*nothing\/model\.json/);
  });
});
