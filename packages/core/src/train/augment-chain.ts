import { tf } from '../tf.js';
import type { AugmentPlugin, PluginContext } from '../contract/plugin.js';
import type { Backbone, BackboneOutput } from '../contract/backbone.js';
import { describePlugin } from '../contract/describe.js';
import type { Rng } from '../random/rng.js';
import type { Attributed, StepInputs } from './forward-loss.js';

/**
 * Runs the augment plugins in order on one (micro-)batch. Each gets a probe of the backbone on its
 * own input (computed at most once per plugin) and says what the clean view becomes; shapes are
 * checked after every plugin, naming it.
 */
export function applyAugments(
  augments: readonly AugmentPlugin[],
  batch: StepInputs,
  context: (plugin: AugmentPlugin) => PluginContext,
  probe: { readonly backbone: Backbone; readonly rng: Rng },
  metrics: Attributed<number | tf.Scalar>[],
): StepInputs {
  let current = batch;
  for (const plugin of augments) {
    let probed: BackboneOutput | undefined;
    const input = current.input;
    const out = plugin.apply(current, {
      ...context(plugin),
      probe: () => (probed ??= probe.backbone.forward(input, { training: true, rng: probe.rng })),
    });
    const clean = out.clean === 'same-as-input' ? out.input : out.clean === 'unchanged' ? current.clean : out.clean;
    if (!(clean instanceof tf.Tensor)) {
      throw new Error(`${describePlugin(plugin)} returned clean = ${JSON.stringify(out.clean)}: return a tensor, 'same-as-input' or 'unchanged'`);
    }
    for (const [what, t] of [['input', out.input], ['clean', clean]] as const) {
      if (!tf.util.arraysEqual(t.shape, batch.input.shape)) {
        throw new Error(`${describePlugin(plugin)} changed the ${what} shape from [${batch.input.shape}] to [${t.shape}]`);
      }
    }
    for (const [key, value] of Object.entries(out.metrics ?? {})) metrics.push({ key: `${plugin.name}/${key}`, source: describePlugin(plugin), value });
    current = { input: out.input, clean, labels: current.labels };
  }
  return current;
}
