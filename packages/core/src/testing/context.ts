import { Rng } from '../random/rng.js';
import type { AugmentContext, PluginContext } from '../contract/plugin.js';
import type { BackboneOutput } from '../contract/backbone.js';

/** What {@link testContext} fills in; everything is optional. */
export interface TestContextOptions {
  readonly step?: number;
  readonly epoch?: number;
  /** Default true (a training step). */
  readonly training?: boolean;
  /** The batch's labels (default: `batchSize` zeros). */
  readonly hostLabels?: ArrayLike<number>;
  /** Used when `hostLabels` is not given (default 1). */
  readonly batchSize?: number;
  readonly ids?: readonly string[];
  /**
   * Which random stream: the trainer's for this plugin (`plugin:<name>` of the run seed), so that
   * a hook sees the very numbers it would see in step 0 of a run with that seed. Or pass `rng`.
   */
  readonly plugin?: { readonly name: string } | string;
  /** Run seed (default 0). */
  readonly seed?: number;
  /** An explicit stream, instead of the one `seed` and `plugin` choose. */
  readonly rng?: Rng;
}

/**
 * A {@link PluginContext} for calling a plugin's hooks directly in a test, with the random stream
 * the trainer would hand that plugin. With `probe`, an {@link AugmentContext}.
 * @example
 * ```ts
 * const out = margin.logits(input, testContext({ plugin: margin, hostLabels: [0, 2, 1] }));
 * const aug = rsp.apply(batch, testContext({ plugin: rsp, batchSize: 4, probe: () => backbone.forward(x, opts) }));
 * ```
 */
export function testContext(options: TestContextOptions & { readonly probe: () => BackboneOutput }): AugmentContext;
export function testContext(options?: TestContextOptions): PluginContext;
export function testContext(options: TestContextOptions & { readonly probe?: () => BackboneOutput } = {}): PluginContext | AugmentContext {
  const name = typeof options.plugin === 'string' ? options.plugin : options.plugin?.name;
  const root = Rng.fromSeed(options.seed ?? 0);
  const context: PluginContext = {
    step: options.step ?? 0,
    epoch: options.epoch ?? 0,
    training: options.training ?? true,
    rng: options.rng ?? (name === undefined ? root : root.fork(`plugin:${name}`)),
    hostLabels: options.hostLabels ? Int32Array.from(options.hostLabels) : new Int32Array(options.batchSize ?? 1),
    ...(options.ids ? { ids: options.ids } : {}),
  };
  return options.probe ? { ...context, probe: options.probe } : context;
}
