import { tf } from '../../tf.js';

/**
 * Validates saved optimiser slots (`<slot>/<parameter>`) against the live parameters, then hands
 * each one over as a new variable. All problems are reported at once and nothing is changed.
 */
export function restoreSlots(
  optimizer: string,
  slotNames: readonly string[],
  tensors: Readonly<Record<string, tf.Tensor>>,
  params: ReadonlyMap<string, tf.Variable>,
  install: (slot: string, parameter: string, value: tf.Variable) => void,
): void {
  const problems: string[] = [];
  const parsed: [string, string, tf.Tensor][] = [];
  for (const [key, value] of Object.entries(tensors)) {
    const cut = key.indexOf('/');
    const slot = key.slice(0, cut);
    const name = key.slice(cut + 1);
    const p = params.get(name);
    if (cut < 0 || !slotNames.includes(slot)) problems.push(`unknown slot "${key}"`);
    else if (!p) problems.push(`slot "${key}" belongs to no parameter of this model`);
    else if (!tf.util.arraysEqual(p.shape, value.shape)) problems.push(`slot "${key}" has shape [${value.shape}], parameter has [${p.shape}]`);
    else parsed.push([slot, name, value]);
  }
  if (problems.length > 0) throw new Error(`${optimizer} state does not match the model: ${problems.join('; ')}`);
  // tf.variable shares the clone's data; the tidy frees only the temporary tensor handle.
  for (const [slot, name, value] of parsed) install(slot, name, tf.tidy(() => tf.variable(tf.clone(value), false)));
}
