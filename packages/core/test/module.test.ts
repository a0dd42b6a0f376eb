import { beforeAll, expect, test } from 'vitest';
import { BatchNorm, Linear, Module, PReLU, Rng, selectBackend } from '../src/index.js';

beforeAll(async () => {
  await selectBackend('cpu', { log: null });
});

class Block extends Module {
  readonly fc = this.child('fc', new Linear({ rng: Rng.fromSeed(1) }, { inFeatures: 2, outFeatures: 3 }));
  readonly act = this.child('act', new PReLU(3));
}

class Net extends Module {
  readonly first = this.child('first', new Block());
  readonly norm = this.child('norm', new BatchNorm({ channels: 3 }));
}

test('namedModules lists the whole tree by dotted path, parents before children, in registration order', () => {
  const net = new Net();
  const modules = net.namedModules();
  expect([...modules.keys()]).toEqual(['', 'first', 'first.fc', 'first.act', 'norm']);
  expect(modules.get('')).toBe(net);
  expect(modules.get('first.fc')).toBe(net.first.fc);
  expect(modules.get('norm')).toBeInstanceOf(BatchNorm);
  // Every state-dict entry belongs to a listed module.
  for (const name of net.stateDict().keys()) expect(modules.has(name.slice(0, name.lastIndexOf('.')))).toBe(true);
  expect([...net.first.namedModules('first').keys()]).toEqual(['first', 'first.fc', 'first.act']);
  net.dispose();
});
