/**
 * The pieces `fr-bench bench --profile` and the scaling suite are built from: the kernel timer
 * (self times, nested kernels attributed, the registry restored), the memory-per-image fit and
 * the line chart.
 */
import { describe, expect, test } from 'vitest';
import { selectBackend, tf } from '@fr/core';
import { KernelTimer } from '../src/benchmarks/kernel-timer.js';
import { renderLineChart } from '../src/benchmarks/line-chart.js';
import { linearFit } from '../src/benchmarks/scaling.js';

describe('KernelTimer', () => {
  test('times every kernel of a backend, attributes nested calls to their caller, and restores the registry', async () => {
    await selectBackend('cpu', { log: null });
    const outer = 'FrBenchTestOuter';
    // A kernel that calls another through the registry, as @fr's composed kernels do.
    tf.registerKernel({
      kernelName: outer,
      backendName: 'cpu',
      kernelFunc: (args) => tf.getKernel(tf.Add, 'cpu')!.kernelFunc({ ...args, inputs: { a: args.inputs.x!, b: args.inputs.x! } }),
    });
    const addBefore = tf.getKernel(tf.Add, 'cpu')!.kernelFunc;
    const timer = KernelTimer.install('cpu');
    try {
      const x = tf.ones([64, 64]);
      tf.dispose([tf.add(x, x), tf.add(x, x), tf.engine().runKernel(outer, { x }, {}) as tf.Tensor, tf.matMul(x, x)]);
      x.dispose();
      const report = timer.report();
      const byName = new Map(report.map((k) => [k.name, k]));
      expect(byName.get('Add')?.calls).toBe(2);
      expect(byName.get(`${outer} > Add`)?.calls).toBe(1);
      expect(byName.get(outer)?.calls).toBe(1);
      expect(byName.get('BatchMatMul')?.calls).toBe(1);
      expect(report.every((k) => k.ms >= 0)).toBe(true);
      expect([...report].sort((a, b) => b.ms - a.ms)).toEqual(report);
    } finally {
      timer.uninstall();
      tf.unregisterKernel(outer, 'cpu');
    }
    expect(tf.getKernel(tf.Add, 'cpu')!.kernelFunc).toBe(addBefore);
  });

  test('refuses asynchronous backends', () => {
    expect(() => KernelTimer.install('webgpu')).toThrow(/asynchronously/);
  });
});

describe('scaling helpers', () => {
  test('linearFit recovers a line and needs two distinct x', () => {
    const fit = linearFit([[8, 100 + 8 * 3], [16, 100 + 16 * 3], [64, 100 + 64 * 3]])!;
    expect(fit.slope).toBeCloseTo(3, 10);
    expect(fit.intercept).toBeCloseTo(100, 10);
    expect(linearFit([[8, 1], [8, 2]])).toBeNull();
  });

  test('the line chart draws one path per series, skips failed points, and its y axis covers every value', () => {
    const svg = renderLineChart({
      kind: 'line', title: 'img/s vs batch', xLabel: 'batch', yLabel: 'img/s', logX: true,
      series: [
        { name: 'ours', points: [{ x: 16, y: 13.9 }, { x: 32, y: 16.7 }] },
        { name: 'torch', dashed: true, points: [{ x: 16, y: 40 }, { x: 32, y: Number.NaN }] },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    const ticks = [...svg.matchAll(/text-anchor="end" fill="#444">([\d.]+)</g)].map((m) => Number(m[1]));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(40);
    expect(svg).toContain('stroke-dasharray');
  });
});
