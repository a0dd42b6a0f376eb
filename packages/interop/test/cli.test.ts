/** fr-import / fr-export in process: every format out, the files read back, usage and input errors. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { captureCli } from '@fr/core/testing';
import { readPth, readSafetensors, importOnnx, VERSION } from '@fr/interop';
import { runExportCli, runImportCli } from '../src/cli/programs.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fr-interop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frImport = (...argv: string[]) => captureCli((io) => runImportCli(argv, io));
const frExport = (...argv: string[]) => captureCli((io) => runExportCli(argv, io));

describe('fr-import → fr-export', () => {
  test('an ONNX from torch becomes an @fr model, which exports to ONNX, GraphModel, .pth and .safetensors', async () => {
    const model = join(dir, 'mfn');
    const imported = await frImport(join(FIXTURES, 'mobilefacenet.onnx'), '--out', model);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^imported .*mobilefacenet\.onnx \(onnx\) as mobilefacenet \{.*"blocks":\[1,2,3,1\].*\}: 0\.\d+ M parameters → .*mfn\/model\.json\n$/);
    expect(existsSync(join(model, 'model.json'))).toBe(true);
    const exported = await frExport('--model', model, '--onnx', join(dir, 'out/m.onnx'), '--graph-model', join(dir, 'out/web'), '--pth', join(dir, 'out/m.pth'), '--safetensors', join(dir, 'out/m.safetensors'), '--keep-batch-norm');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(exported.stdout).toMatch(/wrote .*m\.onnx: mobilefacenet .*ONNX opset 17, batch norm kept/);
    expect(exported.stdout).toMatch(/wrote .*web\/model\.json: mobilefacenet .*tfjs GraphModel \(\d+ nodes\)/);
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
    const refused = await frImport(join(FIXTURES, 'transface-float16.pth'), '--out', join(dir, 'vit16'), '--options', '{"heads": 2}');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/"pos_embed" is float16, expected float32 \(pass castFloats: true \/ --cast-floats to convert\)/);
    const ok = await frImport(join(FIXTURES, 'transface-float16.pth'), '--out', join(dir, 'vit16'), '--options', '{"heads": 2}', '--cast-floats');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/as transface_s \{.*"heads":2/);
  });
});

describe('errors', () => {
  test('usage errors exit 2 naming the problem and pointing at --help; misspelt flags name the closest one', async () => {
    for (const [run, argv, message] of [
      [frImport, [], /missing the model file/],
      [frImport, ['x.pth'], /missing --out/],
      [frImport, ['x.pth', '--out', 'o', '--options', '{heads'], /--options is not JSON/],
      [frImport, ['x.pth', '--out', 'o', '--frobnicate'], /unknown option --frobnicate/],
      [frImport, ['x.pth', '--out', 'o', '--cast-float'], /unknown option --cast-float \(did you mean --cast-floats\?\)/],
      [frExport, ['--onnx', 'a.onnx'], /missing --model/],
      [frExport, ['--model', 'm'], /nothing to write/],
      [frExport, ['--model', 'm', '--onnx', 'a.onnx', '--opset', '11'], /--opset must be an integer in \[17, ∞\], got "11"/],
    ] as const) {
      const r = await run(...argv);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\nRun 'fr-(import|export) --help' for the options\.\n$/);
    }
  });

  test('--version and --help', async () => {
    expect(await frImport('--version')).toEqual({ code: 0, stdout: `fr-import ${VERSION}\n`, stderr: '' });
    expect(await frExport('--version')).toEqual({ code: 0, stdout: `fr-export ${VERSION}\n`, stderr: '' });
    const help = await frExport('--help');
    expect(help.code).toBe(0);
    for (const flag of ['--model', '--onnx', '--graph-model', '--pth', '--safetensors', '--keep-batch-norm', '--opset', '--backend']) expect(help.stdout).toContain(flag);
    expect((await frImport('--help')).stdout).toMatch(/^usage: fr-import <model\.onnx/);
  });

  test('bad files exit 1 naming the problem; the malicious .pth is refused', async () => {
    const evil = await frImport(join(FIXTURES, 'malicious.pth'), '--out', join(dir, 'evil'));
    expect(evil.code).toBe(1);
    expect(evil.stderr).toMatch(/refusing to call posix\.system/);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    const missing = await frImport(join(dir, 'nope.onnx'), '--out', join(dir, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT.*nope\.onnx/);
    const noModel = await frExport('--model', join(dir, 'nothing'), '--onnx', join(dir, 'x.onnx'));
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/No model file at .*nothing\/model\.json/);
  });
});
