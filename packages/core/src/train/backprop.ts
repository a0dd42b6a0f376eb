/**
 * `tf.variableGrads` with a backward pass that frees memory as it goes, as PyTorch's autograd does.
 *
 * tfjs keeps every intermediate gradient (one per activation) and every tensor saved for the
 * backward until the whole backward pass ends: the peak of a training step is about the saved
 * activations plus all their gradients. Here a node's output gradients are freed once the node
 * has passed them on, and its saved tensors once its own gradient is computed, so the peak falls
 * towards the saved activations plus a few gradients. The arithmetic is tfjs' own (the same
 * gradient functions, in the same order, summed the same way): results are identical.
 *
 * This drives tfjs-core's engine through internals that `tf.variableGrads` uses (the tape and its
 * scopes); {@link hasEngineInternals} checks they are there, else the trainer keeps
 * `tf.variableGrads`.
 */
import { tf } from '../tf.js';

interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  readonly saved?: tf.Tensor[];
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  readonly state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/** Whether this tfjs-core exposes what {@link variableGradsFreeing} needs. */
export function hasEngineInternals(): boolean {
  const e = engine() as Partial<EngineInternals>;
  // `activeTape` only exists once a tape was started; `gradientDepth` from the start.
  return typeof e.startTape === 'function' && typeof e.endTape === 'function' && typeof e.scopedRun === 'function' && typeof e.state?.gradientDepth === 'number';
}

/** The tape nodes on a path from `xs` to `y`, inputs pruned to those that depend on `xs` (tfjs' `getFilteredNodesXToY`). */
function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const output of node.outputs) fromX.add(output.id);
      nodesFromX.add(node.id);
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((output) => leadToY.has(output.id))) {
      for (const input of Object.values(node.inputs)) leadToY.add(input.id);
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id))) }));
}

/**
 * Gradients of the scalar `f()` with respect to the trainable variables in `varList`, keyed by
 * variable name, like `tf.variableGrads` (variables `f` does not use get no entry).
 *
 * @example
 * ```ts
 * const { value, grads } = variableGradsFreeing(() => tf.mean(tf.square(model(x))) as tf.Scalar, params);
 * ```
 */
export function variableGradsFreeing(f: () => tf.Scalar, varList: readonly tf.Variable[]): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const e = engine();
  const xs = varList.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error('variableGradsFreeing: no trainable variables to differentiate with respect to');
  const y = e.scopedRun(() => e.startTape(), () => e.endTape(), () => e.tidy('forward', f));
  if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error(`variableGradsFreeing: f() must return a scalar tensor, got ${y instanceof tf.Tensor ? `rank ${y.rank}` : typeof y}`);
  const tape = e.state.activeTape ?? [];
  const firstOrder = e.state.gradientDepth === 0;
  const nodes = nodesFromXsToY(tape, xs, y);
  const grads = e.tidy('backward', () => {
    const acc = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
    // How many entries of `acc` hold each tensor (a gradient function may pass a tensor through).
    const holders = new Map<tf.Tensor, number>([[acc.get(y.id)!, 1]]);
    const hold = (id: number, t: tf.Tensor): void => {
      acc.set(id, t);
      holders.set(t, (holders.get(t) ?? 0) + 1);
    };
    const release = (id: number): tf.Tensor | null => {
      const t = acc.get(id);
      if (!t) return null;
      acc.delete(id);
      const left = (holders.get(t) ?? 1) - 1;
      if (left > 0) {
        holders.set(t, left);
        return null;
      }
      holders.delete(t);
      return t;
    };
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      const names = Object.keys(node.inputs);
      // All input gradients in one tidy: custom gradients compute theirs eagerly, and their
      // temporaries would otherwise live until the backward pass ends.
      const dxs = e.tidy(node.kernelName, () => {
        const thunks = node.gradient!(dys);
        return names.map((name) => {
          if (!(name in thunks)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(thunks)}.`);
          return thunks[name]!();
        });
      });
      names.forEach((name, k) => {
        const dx = dxs[k]!;
        const x = node.inputs[name]!;
        if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
        const previous = acc.get(x.id);
        if (!previous) {
          hold(x.id, dx);
          return;
        }
        // A second path into x: sum, then free both parts unless something else holds them.
        const sum = tf.add(previous, dx);
        release(x.id)?.dispose();
        if (!holders.has(dx)) dx.dispose();
        hold(x.id, sum);
      });
      // The node has passed its output gradients on, and no longer needs what it saved.
      for (const output of node.outputs) release(output.id)?.dispose();
      if (firstOrder) for (const t of node.saved ?? []) if (!holders.has(t)) t.dispose();
    }
    const found: Record<string, tf.Tensor> = {};
    for (const x of xs) {
      const g = acc.get(x.id);
      if (g) found[x.name] = g;
    }
    return found;
  });
  if (firstOrder) {
    // What tfjs' own gradients() does at the end: free every tensor any node saved.
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    e.state.activeTape = null;
  }
  return { value: y as tf.Scalar, grads };
}
