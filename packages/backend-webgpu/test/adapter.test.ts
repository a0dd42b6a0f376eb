/** Software-adapter detection and limit raising (pure functions: no GPU needed). */
import { describe, expect, test } from 'vitest';
import { describeAdapter, raisedLimits } from '../src/adapter.js';

describe('describeAdapter', () => {
  test('lavapipe as Dawn reports it (Mesa 25, Vulkan)', () => {
    const facts = describeAdapter({
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
      isFallbackAdapter: true,
    });
    expect(facts.software).toBe(true);
    expect(facts.name).toBe('llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1');
  });

  test('software by name alone, or by the fallback flag alone', () => {
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' }).software).toBe(true);
    expect(describeAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }).software).toBe(true);
    expect(describeAdapter({ description: 'lavapipe' }).software).toBe(true);
    expect(describeAdapter({ vendor: 'unknown' }, true).software).toBe(true);
    expect(describeAdapter({ vendor: 'unknown', isFallbackAdapter: true }).software).toBe(true);
  });

  test('hardware adapters are not software', () => {
    const nvidia = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false });
    expect(nvidia).toMatchObject({ software: false, name: 'NVIDIA H100 80GB HBM3', vendor: 'nvidia', architecture: 'hopper' });
    expect(describeAdapter({ vendor: 'intel', architecture: 'gen-12lp' }).software).toBe(false);
    expect(describeAdapter({ vendor: 'apple', architecture: 'metal-3' }).name).toBe('apple metal-3');
    expect(describeAdapter({}).name).toBe('unknown adapter');
  });
});

test('raisedLimits copies the adapter maxima tfjs is bounded by, and nothing else', () => {
  const limits = raisedLimits({
    maxStorageBufferBindingSize: 134217728,
    maxBufferSize: 4294967295,
    maxStorageBuffersPerShaderStage: 16,
    maxComputeWorkgroupStorageSize: 32768,
    maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024,
    maxComputeWorkgroupsPerDimension: 65535,
    maxTextureDimension2D: 16384,
  });
  expect(limits).toEqual({
    maxStorageBufferBindingSize: 134217728,
    maxBufferSize: 4294967295,
    maxStorageBuffersPerShaderStage: 16,
    maxComputeWorkgroupStorageSize: 32768,
    maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024,
    maxComputeWorkgroupsPerDimension: 65535,
  });
});
