/**
 * The tensorflow provider: registered on import with its capabilities; without tfjs-node(-gpu)
 * installed (they download libtensorflow at install, so not here) `selectBackend('tensorflow')`
 * fails saying what to install, and `auto` skips it for the next backend.
 */
import { describe, expect, test } from 'vitest';
import { findBackendProvider, importOptional, selectBackend } from '@fr/core';
import { tensorflowProvider } from '../src/index.js';

const installed = (await importOptional('@tensorflow/tfjs-node')).ok || (await importOptional('@tensorflow/tfjs-node-gpu')).ok;

describe('@fr/backend-tensorflow', () => {
  test('importing it registers the tensorflow provider, first in auto, reading synchronously', () => {
    expect(findBackendProvider('tensorflow')).toBe(tensorflowProvider);
    expect(tensorflowProvider).toMatchObject({ name: 'tensorflow', priority: 40, readsSync: true });
    expect(tensorflowProvider.drainDeviceErrors()).toEqual([]);
  });

  test.skipIf(installed)('without tfjs-node, asking for it by name says what to install', async () => {
    await expect(selectBackend('tensorflow', { log: null })).rejects.toThrow(
      'Backend "tensorflow" is not available here (tensorflow: @tensorflow/tfjs-node-gpu is not installed (npm i @tensorflow/tfjs-node-gpu); @tensorflow/tfjs-node is not installed (npm i @tensorflow/tfjs-node))',
    );
  });
});
