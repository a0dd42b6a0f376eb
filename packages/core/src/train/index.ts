export { Trainer, createTrainer, type TrainerOptions, type TrainerCallback, type FitOptions, type FitResult } from './trainer.js';
export { parseTrainerConfig, trainerConfigSchema, stepsOrEpochs, ConfigError, type TrainerConfig, type TrainerConfigInput, type OptimizerConfig, type ScheduleConfig } from './config.js';
export { makeLrSchedule, type LrSchedule } from './lr-schedule.js';
export { makeOptimizer, Sgd, AdamW, type Optimizer, type OptimizerState, type SgdOptions, type AdamWOptions } from './optimizers/index.js';
export { forwardLoss, type LossParts, type StepInputs, type StepEnv, type Attributed } from './forward-loss.js';
export { NonFiniteLossError } from './non-finite.js';
export { readJsonl } from './jsonl-log.js';
export { progressBar, type ProgressOptions, type ProgressStream } from './progress.js';
export type * from './events.js';
