/**
 * @fr/train — `fr-train`: from a recipe (JSON or YAML) to a trained, evaluated model, without
 * writing code. Plugins are resolved from installed packages by name (third-party ones included);
 * runs write a JSONL log, TensorBoard event files, checkpoints, the model and an HTML report.
 *
 * @example
 * ```ts
 * import { loadRecipe, trainRecipe } from '@fr/train';
 * const result = await trainRecipe(loadRecipe('examples/recipes/arcface-cpu.json', { set: ['steps=20'] }));
 * console.log(result.after[0]?.metrics.accuracy, result.files.report);
 * ```
 * @packageDocumentation
 */
export { recipeSchema, pluginRefSchema, dataSchema, evalSetSchema, evaluationSchema, type Recipe, type RecipeInput, type PluginRef, type DataSpec, type EvalSetSpec } from './recipe/schema.js';
export { loadRecipe, validateRecipe, parseRecipeText, type LoadedRecipe, type LoadRecipeOptions } from './recipe/load.js';
export { RecipeError } from './recipe/errors.js';
export { applyOverrides, parseOverride, typedValue, type Override } from './recipe/overrides.js';
export { expandEnv } from './recipe/paths.js';
export { installedPlugins, locatePackage, declaredPlugins, describeInstalled, type InstalledPackage, type PackageManifest } from './plugins/installed.js';
export { resolveFactory, type PluginFactory, type ResolvedFactory, type ResolveOptions } from './plugins/resolve.js';
export { constructPlugin, substituteVariables, type RecipeVariables } from './plugins/construct.js';
export { exportsEntry } from './plugins/exports-map.js';
export { prepareRecipe, buildPlugins, type PreparedRecipe, type BuiltPlugins, type CodeOptions } from './run/prepare.js';
export { trainRecipe, describeEvaluation, type TrainOptions, type TrainResult, type RunFiles, type TrainerReady } from './run/train-recipe.js';
export { dryRun, formatDryRun, STAND_IN_CLASSES, type DryRunPlan } from './run/dry-run.js';
export { openEvalTargets, type Evaluation, type EvalTarget } from './run/eval-targets.js';
export { openTrainingData, describeLabelNoise, type TrainingData, type InjectedLabelNoise } from './data/open-data.js';
export { alignRecipeData, type RecipeDataPlan } from './data/align-data.js';
export { EventFileWriter, type Scalars } from './monitor/event-file.js';
export { tensorboardLogger, stepScalars, evalScalars } from './monitor/tensorboard.js';
export { tfRecord, maskedCrc32c } from './monitor/tfrecord.js';
export { renderTrainingReport, type TrainingReportInput } from './report/training-report.js';
export { main, USAGE, type CliIo } from './cli/main.js';
