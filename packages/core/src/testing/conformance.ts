/**
 * The conformance kit: what every @fr plugin should satisfy, runnable in a third-party plugin's
 * own tests. Each `check*` function builds small random inputs, runs the plugin's hooks and
 * returns a report; {@link assertConforms} turns failures into one readable error.
 *
 * Checks: output shapes; tape gradients vs finite differences; finite values and gradients at
 * cos = ±1 exactly (and θ + m > π) for margin heads and loss plugins, and at duplicate and zero
 * embeddings for loss plugins; seeded determinism; no tensor leaks; state round trip through JSON
 * (outputs and metrics).
 *
 * Run it on the cpu backend: finite differences need its exact, deterministic float32 arithmetic.
 */
import { tf } from '../tf.js';
import { Rng } from '../random/rng.js';
import { cosineToCenters } from '../math/cosine.js';
import { softmaxCrossEntropy } from '../math/cross-entropy.js';
import { rowNorm } from '../math/normalize.js';
import type {
  AugmentPlugin, CenterBankPlugin, LossPlugin, LossView, MarginPlugin, Metrics, Plugin, PluginContext, PluginState,
} from '../contract/plugin.js';
import { tinyBackbone } from './tiny-backbone.js';
import { applyAugments } from '../train/augment-chain.js';
import { testContext } from './context.js';
import {
  checkGradients, checkNoLeak, expectFinite, expectIdentical, runCheck, type CheckResult, type ConformanceReport, type GradientCheckOptions,
} from './checks.js';

export interface ConformanceOptions {
  readonly batchSize?: number;
  readonly numClasses?: number;
  readonly embeddingSize?: number;
  readonly seed?: number;
  /** The step/epoch the hooks see (e.g. past BoundaryFace's `epochStart`). */
  readonly step?: number;
  readonly epoch?: number;
  /**
   * `exact` (default): tape gradients must match finite differences. `custom`: the plugin
   * defines a different gradient on purpose (e.g. straight-through ArcFace); only finiteness is checked.
   */
  readonly gradient?: 'exact' | 'custom';
  readonly gradientCheck?: GradientCheckOptions;
  /** Training-mode calls made before the state round trip (default 3). */
  readonly warmupCalls?: number;
}

export interface LossConformanceOptions extends ConformanceOptions {
  /** Shapes (batch first) of the auxiliary backbone outputs the plugin reads. */
  readonly aux?: Readonly<Record<string, readonly number[]>>;
  /** Aux outputs the plugin's terms are differentiable in (checked like the embedding). */
  readonly differentiableAux?: readonly string[];
  /** Image side of `input`/`cleanInput` (default 8). */
  readonly inputSize?: number;
}

export interface AugmentConformanceOptions extends ConformanceOptions {
  readonly inputSize?: number;
  /** Auxiliary outputs the probe backbone must provide (`tokens`, `patchWeights`). */
  readonly probeAux?: readonly ('tokens' | 'patchWeights')[];
}

interface Fixture {
  readonly embedding: tf.Tensor2D;
  readonly weight: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly hostLabels: Int32Array;
}

function fixture(rng: Rng, b: number, c: number, d: number): Fixture {
  const labels = new Int32Array(b);
  for (let i = 0; i < b; i++) labels[i] = i < c ? i : rng.int(c);
  return {
    embedding: tf.tensor2d(rng.fillNormal(new Float32Array(b * d)), [b, d]),
    weight: tf.tensor2d(rng.fillNormal(new Float32Array(c * d)), [c, d]),
    labels: tf.tensor1d(labels, 'int32'),
    hostLabels: labels,
  };
}

/**
 * Embeddings at the numerically dangerous points: cos = +1 / −1 to the target and to another
 * class, exactly. Centers become axis-aligned (class j → the j-th unit vector, for j < d), so the
 * normalised dot products are exactly ±1 in float32 (multiples of a random row round to 0.99999994).
 */
function edgeFixture(base: Fixture): Fixture {
  const b = base.embedding.shape[0];
  const [c, d] = base.weight.shape;
  const labels = base.hostLabels;
  const rows = tf.unstack(base.embedding);
  const weight = tf.tidy(() => {
    const axes = Math.min(c, d);
    const basis = tf.slice(tf.eye(d), [0, 0], [axes, d]);
    return (axes === c ? basis : tf.concat([basis, tf.slice(base.weight, [axes, 0], [c - axes, d])])) as tf.Tensor2D;
  });
  const w = (j: number) => tf.reshape(tf.slice(weight, [j, 0], [1, -1]), [-1]);
  const other = (i: number) => ((labels[i] as number) + 1) % c;
  const edits: [number, () => tf.Tensor][] = [
    [0, () => tf.mul(w(labels[0] as number), 2)],                  // cos = +1 to the target
    [1, () => tf.mul(w(labels[1] as number), -0.5)],               // cos = −1 to the target (θ + m > π)
    [2, () => tf.mul(w(other(2)), 3)],                            // cos = +1 to a non-target
    [3, () => tf.neg(w(other(3)))],                               // cos = −1 to a non-target
  ];
  for (const [i, make] of edits) if (i < b) rows[i] = make();
  return { ...base, embedding: tf.stack(rows) as tf.Tensor2D, weight };
}

/** Metrics as tensors, so the state round trip compares them with the outputs. */
function metricTensors(metrics: Metrics | undefined, prefix = 'metric:'): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(metrics ?? {}).map(([k, v]) => [prefix + k, typeof v === 'number' ? tf.scalar(v) : v]));
}

function makeContext(plugin: Plugin, seed: number, options: ConformanceOptions, training: boolean, hostLabels: Int32Array): PluginContext {
  return testContext({ plugin, seed, step: options.step, epoch: options.epoch, training, hostLabels });
}

function stateRoundTrip(create: () => Plugin, warm: (p: Plugin) => void, outputs: (p: Plugin) => Record<string, tf.Tensor | undefined>, calls: number): string {
  const a = create();
  if (!a.getState || !a.setState) {
    a.dispose?.();
    return 'stateless (no getState/setState)';
  }
  try {
    for (let i = 0; i < calls; i++) tf.tidy(() => warm(a));
    const state = a.getState();
    const json = JSON.parse(JSON.stringify(state.json ?? null)) as unknown;
    const b = create();
    try {
      (b.setState as (s: PluginState) => void)({ json, tensors: state.tensors });
      tf.tidy(() => expectIdentical('after setState(getState())', outputs(a), outputs(b)));
    } finally {
      b.dispose?.();
    }
    return `state restored into a fresh instance gives identical outputs (after ${calls} training calls)`;
  } finally {
    a.dispose?.();
  }
}

function report(plugin: Plugin, checks: CheckResult[]): ConformanceReport {
  return { plugin: plugin.name, checks, ok: checks.every((c) => c.ok) };
}

/** Conformance of a margin head. `create` must return a fresh, identically configured instance. */
export function checkMarginPlugin(create: () => MarginPlugin, options: ConformanceOptions = {}): ConformanceReport {
  const b = options.batchSize ?? 6;
  const c = options.numClasses ?? 5;
  const d = options.embeddingSize ?? 8;
  const seed = options.seed ?? 1;
  const probe = create();
  const fx = fixture(Rng.fromSeed(seed).fork('fixture'), b, c, d);
  const edge: Fixture = tf.tidy(() => {
    const e = edgeFixture(fx);
    return { ...fx, embedding: tf.keep(e.embedding), weight: tf.keep(e.weight) };
  });
  const run = (p: MarginPlugin, f: Fixture, training = true) => {
    const cosine = cosineToCenters(f.embedding, f.weight);
    const out = p.logits({ cosine, targets: f.labels, embedding: f.embedding, embeddingNorm: rowNorm(f.embedding) }, makeContext(p, seed, options, training, f.hostLabels));
    return { cosine, ...out };
  };
  const lossWith = (f: Fixture) => (e: tf.Tensor, w: tf.Tensor): tf.Scalar => {
    const p = create();
    try {
      const out = run(p, { ...f, embedding: e as tf.Tensor2D, weight: w as tf.Tensor2D });
      const ce = tf.mean(softmaxCrossEntropy(out.logits, out.targets ?? f.labels)) as tf.Scalar;
      return tf.addN([ce, ...Object.values(out.terms ?? {})]) as tf.Scalar;
    } finally {
      p.dispose?.();
    }
  };
  const checks: CheckResult[] = [
    runCheck('shapes', () => tf.tidy(() => {
      const out = run(probe, fx);
      if (!tf.util.arraysEqual(out.logits.shape, [b, c])) throw new Error(`logits have shape [${out.logits.shape}], expected [${b}, ${c}]`);
      if (out.targets) {
        if (!tf.util.arraysEqual(out.targets.shape, [b]) || out.targets.dtype !== 'int32') throw new Error(`rewritten targets must be int32 [${b}], got ${out.targets.dtype} [${out.targets.shape}]`);
        const t = out.targets.dataSync();
        if (t.some((v) => v < 0 || v >= c)) throw new Error(`rewritten targets out of [0, ${c}): ${Array.from(t)}`);
      }
      for (const [k, v] of Object.entries(out.terms ?? {})) if (v.rank !== 0) throw new Error(`term "${k}" is not a scalar`);
      return `logits [${b}, ${c}]${out.targets ? ', targets rewritten' : ''}${out.terms ? `, terms ${Object.keys(out.terms).join(', ')}` : ''}`;
    })),
    options.gradient === 'custom'
      ? runCheck('gradient', () => 'custom gradient declared: finite-difference comparison skipped')
      : runCheck('gradient', () => checkGradients(lossWith(fx), [fx.embedding, fx.weight], options.gradientCheck)),
    runCheck('nan-safety', () => tf.tidy(() => {
      const out = run(probe, edge);
      const [ge, gw] = tf.grads(lossWith(edge))([edge.embedding, edge.weight]);
      expectFinite('at cos = ±1', { logits: out.logits, gradEmbedding: ge, gradWeight: gw, ...(out.terms ?? {}) });
      return 'logits, terms and gradients finite at cos = +1 and −1 (target and non-target)';
    })),
    runCheck('determinism', () => tf.tidy(() => {
      const [p1, p2] = [create(), create()];
      try {
        const [o1, o2] = [run(p1, fx), run(p2, fx)];
        expectIdentical('two fresh instances, same seed', { logits: o1.logits, targets: o1.targets, ...o1.terms }, { logits: o2.logits, targets: o2.targets, ...o2.terms });
        return 'identical outputs from identically seeded instances';
      } finally {
        p1.dispose?.();
        p2.dispose?.();
      }
    })),
    runCheck('no-leak', () => checkNoLeak(() => {
      run(probe, fx);
    })),
    runCheck('state', () => stateRoundTrip(create, (p) => run(p as MarginPlugin, fx), (p) => {
      const out = run(p as MarginPlugin, fx, false);
      return { logits: out.logits, targets: out.targets, ...metricTensors(out.metrics) };
    }, options.warmupCalls ?? 3)),
  ];
  probe.dispose?.();
  tf.dispose([fx.embedding, fx.weight, fx.labels, edge.embedding, edge.weight]);
  return report(probe, checks);
}

/** Conformance of a centre bank (gradients w.r.t. the embeddings). */
export function checkCenterBank(create: () => CenterBankPlugin, options: ConformanceOptions = {}): ConformanceReport {
  const probe = create();
  const b = options.batchSize ?? 6;
  const seed = options.seed ?? 1;
  const c = probe.numClasses;
  const fx = fixture(Rng.fromSeed(seed).fork('fixture'), b, c, probe.embeddingSize);
  const run = (p: CenterBankPlugin, e: tf.Tensor2D, training = true) => p.cosine({ embedding: e, labels: fx.labels }, makeContext(p, seed, options, training, fx.hostLabels));
  const checks: CheckResult[] = [
    runCheck('shapes', () => tf.tidy(() => {
      const out = run(probe, fx.embedding);
      const [rows, cols] = out.cosine.shape;
      if (rows !== b || !(cols >= 1 && cols <= c)) throw new Error(`cosine has shape [${out.cosine.shape}], expected [${b}, 1..${c}]`);
      const t = out.targets.dataSync();
      if (out.targets.dtype !== 'int32' || t.some((v) => v < 0 || v >= cols)) throw new Error(`targets must be int32 in [0, ${cols}), got ${Array.from(t)}`);
      const v = out.cosine.dataSync();
      if (v.some((x) => !(x >= -1 && x <= 1))) throw new Error('cosines outside [−1, 1]');
      return `cosine [${b}, ${cols}] within [−1, 1]`;
    })),
    runCheck('gradient', () => checkGradients((e) => {
      const p = create();
      try {
        return tf.sum(tf.square(run(p, e as tf.Tensor2D).cosine)) as tf.Scalar;
      } finally {
        p.dispose?.();
      }
    }, [fx.embedding], options.gradientCheck)),
    runCheck('determinism', () => tf.tidy(() => {
      const [p1, p2] = [create(), create()];
      try {
        const [o1, o2] = [run(p1, fx.embedding), run(p2, fx.embedding)];
        expectIdentical('two fresh instances', { cosine: o1.cosine, targets: o1.targets }, { cosine: o2.cosine, targets: o2.targets });
        return 'identical outputs from identically seeded instances';
      } finally {
        p1.dispose?.();
        p2.dispose?.();
      }
    })),
    runCheck('no-leak', () => checkNoLeak(() => {
      run(probe, fx.embedding);
    })),
    runCheck('state', () => stateRoundTrip(create, (p) => run(p as CenterBankPlugin, fx.embedding), (p) => {
      const out = run(p as CenterBankPlugin, fx.embedding, false);
      return { cosine: out.cosine, targets: out.targets, ...metricTensors(out.metrics) };
    }, options.warmupCalls ?? 3)),
  ];
  probe.dispose?.();
  tf.dispose([fx.embedding, fx.weight, fx.labels]);
  return report(probe, checks);
}

/** Conformance of a loss plugin (sample weights and/or terms). */
export function checkLossPlugin(create: () => LossPlugin, options: LossConformanceOptions = {}): ConformanceReport {
  const b = options.batchSize ?? 6;
  const c = options.numClasses ?? 5;
  const d = options.embeddingSize ?? 8;
  const size = options.inputSize ?? 8;
  const seed = options.seed ?? 1;
  const rng = Rng.fromSeed(seed).fork('fixture');
  const fx = fixture(rng, b, c, d);
  const input = tf.tensor4d(rng.fillUniform(new Float32Array(b * size * size * 3), -1, 1), [b, size, size, 3]);
  const aux: Record<string, tf.Tensor> = {};
  for (const [name, shape] of Object.entries(options.aux ?? {})) aux[name] = tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((x, y) => x * y, 1))), [...shape]);
  const diffAux = options.differentiableAux ?? [];
  const viewOf = (embedding: tf.Tensor2D, auxIn: Record<string, tf.Tensor>, weight: tf.Tensor2D = fx.weight): LossView => {
    const cosine = cosineToCenters(embedding, weight);
    const logits = tf.mul(cosine, 16) as tf.Tensor2D;
    return { input, cleanInput: input, labels: fx.labels, embedding, aux: auxIn, cosine, logits, targets: fx.labels, perSampleLoss: softmaxCrossEntropy(logits, fx.labels) };
  };
  const run = (p: LossPlugin, view: LossView, training = true) => {
    const ctx = makeContext(p, seed, options, training, fx.hostLabels);
    return { weights: p.sampleWeights?.(view, ctx), terms: p.terms?.(view, ctx) };
  };
  const probe = create();
  const edgeEmbedding = tf.tidy(() => {
    // Duplicate and zero rows: zero pairwise distances and zero norms are where sqrt gradients blow up.
    const rows = tf.unstack(fx.embedding);
    if (b > 1) rows[1] = rows[0] as tf.Tensor;
    if (b > 2) rows[2] = tf.zerosLike(rows[2] as tf.Tensor);
    return tf.stack(rows) as tf.Tensor2D;
  });
  // Cosines of exactly ±1 to the target and to another class (where acos and sqrt(1 − cos²) blow up).
  const edge = tf.tidy(() => {
    const e = edgeFixture(fx);
    return { embedding: tf.keep(e.embedding), weight: tf.keep(e.weight) };
  });
  const termSumWith = (weight: tf.Tensor2D) => (embedding: tf.Tensor, ...auxValues: tf.Tensor[]): tf.Scalar => {
    const p = create();
    try {
      const auxIn = { ...aux };
      diffAux.forEach((name, i) => (auxIn[name] = auxValues[i] as tf.Tensor));
      const terms = Object.values(run(p, viewOf(embedding as tf.Tensor2D, auxIn, weight)).terms?.terms ?? {});
      return (terms.length > 0 ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
    } finally {
      p.dispose?.();
    }
  };
  const termSum = termSumWith(fx.weight);
  const outputs = (p: LossPlugin, training: boolean): Record<string, tf.Tensor | undefined> => {
    const out = run(p, viewOf(fx.embedding, aux), training);
    return {
      weights: out.weights?.weights, ...(out.terms?.terms ?? {}),
      ...metricTensors(out.weights?.metrics, 'weights-metric:'), ...metricTensors(out.terms?.metrics, 'terms-metric:'),
    };
  };
  const checks: CheckResult[] = [
    runCheck('shapes', () => tf.tidy(() => {
      const out = run(probe, viewOf(fx.embedding, aux));
      if (!out.weights && !out.terms) throw new Error('implements neither sampleWeights() nor terms()');
      if (out.weights && !tf.util.arraysEqual(out.weights.weights.shape, [b])) throw new Error(`sample weights have shape [${out.weights.weights.shape}], expected [${b}]`);
      for (const [k, v] of Object.entries(out.terms?.terms ?? {})) if (v.rank !== 0) throw new Error(`term "${k}" has shape [${v.shape}], expected a scalar`);
      expectFinite('outputs', outputs(probe, true));
      return `${out.weights ? `weights [${b}]` : ''}${out.weights && out.terms ? ', ' : ''}${out.terms ? `terms ${Object.keys(out.terms.terms).join(', ')}` : ''}`;
    })),
    !probe.terms
      ? runCheck('gradient', () => 'no terms: sample weights are constants to the trainer')
      : options.gradient === 'custom'
        ? runCheck('gradient', () => 'custom gradient declared: finite-difference comparison skipped')
        : runCheck('gradient', () => checkGradients(termSum, [fx.embedding, ...diffAux.map((n) => aux[n] as tf.Tensor)], options.gradientCheck)),
    runCheck('nan-safety', () => tf.tidy(() => {
      const cases: [string, tf.Tensor2D, tf.Tensor2D][] = [
        ['with duplicate and zero embeddings', edgeEmbedding, fx.weight],
        ['at cos = ±1 (target and non-target)', edge.embedding, edge.weight],
      ];
      for (const [label, embedding, weight] of cases) {
        const out = run(probe, viewOf(embedding, aux, weight));
        const grads = probe.terms ? tf.grads(termSumWith(weight))([embedding, ...diffAux.map((n) => aux[n] as tf.Tensor)]) : [];
        expectFinite(label, { weights: out.weights?.weights, ...(out.terms?.terms ?? {}), ...Object.fromEntries(grads.map((g, i) => [`grad${i}`, g])) });
      }
      return 'values and gradients finite with duplicate and all-zero embeddings, and at cos = ±1';
    })),
    runCheck('determinism', () => tf.tidy(() => {
      const [p1, p2] = [create(), create()];
      try {
        expectIdentical('two fresh instances, same seed', outputs(p1, true), outputs(p2, true));
        return 'identical outputs from identically seeded instances';
      } finally {
        p1.dispose?.();
        p2.dispose?.();
      }
    })),
    runCheck('no-leak', () => checkNoLeak(() => {
      run(probe, viewOf(fx.embedding, aux));
    })),
    runCheck('state', () => stateRoundTrip(create, (p) => run(p as LossPlugin, viewOf(fx.embedding, aux)), (p) => outputs(p as LossPlugin, false), options.warmupCalls ?? 3)),
  ];
  probe.dispose?.();
  tf.dispose([fx.embedding, fx.weight, fx.labels, input, edgeEmbedding, edge.embedding, edge.weight, ...Object.values(aux)]);
  return report(probe, checks);
}

/** Conformance of an augment plugin (with a tiny probe backbone when it requires `probe`). */
export function checkAugmentPlugin(create: () => AugmentPlugin, options: AugmentConformanceOptions = {}): ConformanceReport {
  const b = options.batchSize ?? 6;
  const size = options.inputSize ?? 16;
  const seed = options.seed ?? 1;
  const rng = Rng.fromSeed(seed).fork('fixture');
  const input = tf.tensor4d(rng.fillUniform(new Float32Array(b * size * size * 3), -1, 1), [b, size, size, 3]);
  const hostLabels = Int32Array.from({ length: b }, (_, i) => i % 3);
  const labels = tf.tensor1d(hostLabels, 'int32');
  const backbone = tinyBackbone({ inputSize: size, aux: options.probeAux ?? [] });
  // The trainer's own augment path: the clean rule and the shape checks are the same.
  const run = (p: AugmentPlugin) => {
    const out = applyAugments([p], { input, clean: input, labels }, (q) => makeContext(q, seed, options, true, hostLabels), { backbone, rng: Rng.fromSeed(seed).fork('probe') }, []);
    return { input: out.input, clean: out.clean };
  };
  const probe = create();
  const checks: CheckResult[] = [
    runCheck('shapes', () => tf.tidy(() => {
      const out = run(probe);
      expectFinite('outputs', out);
      return `input and clean keep shape [${input.shape}], finite`;
    })),
    runCheck('determinism', () => tf.tidy(() => {
      const [p1, p2] = [create(), create()];
      try {
        expectIdentical('two fresh instances, same seed', run(p1), run(p2));
        return 'identical outputs from identically seeded instances';
      } finally {
        p1.dispose?.();
        p2.dispose?.();
      }
    })),
    runCheck('no-leak', () => checkNoLeak(() => {
      run(probe);
    })),
    runCheck('state', () => stateRoundTrip(create, (p) => run(p as AugmentPlugin), (p) => run(p as AugmentPlugin), options.warmupCalls ?? 3)),
  ];
  probe.dispose?.();
  backbone.module.dispose();
  tf.dispose([input, labels]);
  return report(probe, checks);
}
