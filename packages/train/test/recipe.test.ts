import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { RecipeError, expandEnv, loadRecipe, validateRecipe } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fr-recipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  backbone: { architecture: 'mobilefacenet', options: { inputSize: 32 } },
  centers: { package: '@fr/core', export: 'fullFC' },
  margin: { package: '@fr/loss-arcface', export: 'arcface', options: { s: 16 } },
  data: { train: { imageFolder: 'faces' } },
  batchSize: 8,
  steps: 10,
  optimizer: { type: 'sgd', lr: 0.1 },
};
const where = { file: join(dir, 'r.json'), dir };

function problems(raw: unknown, set: string[] = []): string[] {
  try {
    validateRecipe(raw, where, { set, cwd: '/work/here' });
  } catch (error) {
    expect(error).toBeInstanceOf(RecipeError);
    return [...(error as RecipeError).problems];
  }
  throw new Error('the recipe was accepted');
}

describe('recipe validation', () => {
  test('fills defaults, names the run after its file, resolves inputs from the recipe folder and output from the current folder', () => {
    const { recipe } = validateRecipe(base, where, { cwd: '/work/here' });
    expect(recipe.name).toBe('r');
    expect(recipe.data.train).toEqual({ imageFolder: join(dir, 'faces') });
    expect(recipe.output.dir).toBe('/work/here/runs/r');
    expect(recipe.optimizer).toEqual({ type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: false });
    expect(recipe.clipGradNorm).toEqual({ maxNorm: 5, scope: 'backbone' });
    expect(recipe.evaluation.atStart).toBe(true);
  });

  test('an unknown field is named with its path and the closest known one', () => {
    expect(problems({ ...base, optimizer: { type: 'sgd', lr: 0.1, momentun: 0.9 } })).toEqual([
      'optimizer.momentun: unknown field (did you mean "optimizer.momentum"?); allowed here: type, lr, momentum, weightDecay, nesterov',
    ]);
    expect(problems({ ...base, batchsize: 8 })[0]).toMatch(/^batchsize: unknown field \(did you mean "batchSize"\?\)/);
  });

  test('a bad value names the field, what it accepts and what it got; every problem at once', () => {
    const lines = problems({ ...base, optimizer: { type: 'sgdm', lr: 0.1 }, backend: 'gpu' });
    expect(lines).toContainEqual(expect.stringMatching(/^optimizer\.type: .*'sgd' \| 'adamw'.*\(got "sgdm"\)/));
    expect(lines).toContainEqual(expect.stringMatching(/^backend: .*"auto".*"cpu".*\(got "gpu"\)/));
  });

  test('steps and epochs: exactly one', () => {
    expect(problems({ ...base, epochs: 3 })).toEqual(['steps: give exactly one of `steps` or `epochs` (got 10)']);
  });

  test('a data source that is neither form says which forms exist', () => {
    expect(problems({ ...base, data: { train: { folder: 'x' } } })).toEqual([
      'data.train: expected {imageFolder, include, exclude} or {rec, limitPerClass} (got {"folder":"x"})',
    ]);
  });

  test('--set is typed by the schema', () => {
    const { recipe } = validateRecipe(base, where, {
      cwd: '/work/here',
      set: ['optimizer.lr=0.05', 'output.tensorboard=false', 'clipGradNorm=null', 'schedule={type: step, milestones: [4, 8]}', 'margin.options.gradient=straight-through', 'losses.0={package: p, export: e}', 'losses.0.options.weight=0.5', 'data.train.imageFolder=faces2'],
    });
    expect(recipe.optimizer.lr).toBe(0.05);
    expect(recipe.output.tensorboard).toBe(false);
    expect(recipe.clipGradNorm).toBeNull();
    expect(recipe.schedule).toEqual({ type: 'step', milestones: [4, 8], gamma: 0.1, warmupSteps: 0 });
    expect(recipe.margin?.options).toEqual({ s: 16, gradient: 'straight-through' });
    expect(recipe.losses).toEqual([{ package: 'p', export: 'e', options: { weight: 0.5 } }]);
    // A path on the command line is relative to where the command runs.
    expect(recipe.data.train).toEqual({ imageFolder: '/work/here/faces2' });
  });

  test('--set errors name the field and what it takes', () => {
    expect(problems(base, ['optimizer.lr=fast'])).toEqual(['--set optimizer.lr: expected a number, got "fast"']);
    expect(problems(base, ['optimizer.beta1=0.9'])[0]).toMatch(/^--set optimizer\.beta1: unknown field; allowed here: type, lr, momentum, weightDecay, nesterov$/);
    expect(problems(base, ['optimiser.lr=0.1'])[0]).toMatch(/did you mean "optimizer"\?/);
    expect(problems(base, ['steps'])[0]).toMatch(/expected field\.path=value/);
  });


  test('${VAR} and ${VAR:-default} expand in paths; an unset variable without default is an error naming the field', () => {
    expect(expandEnv('${A}/x', 'f', { A: '/data' })).toBe('/data/x');
    expect(expandEnv('${A:-../d}/x', 'f', {})).toBe('../d/x');
    expect(() => expandEnv('${NOPE}/x', 'data.train.imageFolder', {})).toThrow(/data\.train\.imageFolder: environment variable NOPE is not set/);
  });

  test('YAML recipes load; a missing file and a parse error name the file', () => {
    writeFileSync(join(dir, 'y.yaml'), 'backbone: { architecture: mobilefacenet }\ndata: { train: { imageFolder: faces } }\nbatchSize: 8\nepochs: 2\noptimizer: { type: adamw, lr: 0.001 }\n');
    const { recipe } = loadRecipe(join(dir, 'y.yaml'));
    expect(recipe.optimizer).toMatchObject({ type: 'adamw', lr: 0.001, weightDecay: 0.01 });
    expect(() => loadRecipe(join(dir, 'none.json'))).toThrow(/none\.json: invalid recipe:\n {2}- cannot read the recipe: no such file/);
    writeFileSync(join(dir, 'bad.json'), '{ "steps": ');
    expect(() => loadRecipe(join(dir, 'bad.json'))).toThrow(/bad\.json: invalid recipe:\n {2}- not valid JSON/);
  });
});
