import type { ScheduleConfig } from './config.js';

/** Learning rate for a 0-based step. Pure, so resume needs only the step. */
export type LrSchedule = (step: number) => number;

/**
 * Builds the schedule of the config. Polynomial decay follows insightface:
 * lr = base·(1 − (min(l, T) − w)/(T − w))^power after `w` warmup steps.
 */
export function makeLrSchedule(config: ScheduleConfig, baseLr: number, runSteps: number): LrSchedule {
  switch (config.type) {
    case 'constant': {
      const w = config.warmupSteps;
      return (step) => (w > 0 && step < w ? (baseLr * (step + 1)) / w : baseLr);
    }
    case 'polynomial': {
      const total = config.totalSteps ?? runSteps;
      const w = config.warmupSteps;
      const { power, flavour } = config;
      if (w >= total) throw new Error(`schedule.warmupSteps (${w}) must be smaller than the total steps (${total})`);
      return (step) => {
        if (flavour === 'insightface' && step === 0) return baseLr; // PolynomialLRWarmup skips its closed form at l = 0
        if (step < w || (flavour === 'insightface' && step <= w && w > 0)) return (baseLr * step) / w;
        const l = Math.min(step, total);
        return baseLr * Math.pow(1 - (l - w) / (total - w), power);
      };
    }
    case 'step': {
      const w = config.warmupSteps;
      return (step) => {
        if (w > 0 && step < w) return (baseLr * (step + 1)) / w;
        const passed = config.milestones.filter((m) => step >= m).length;
        return baseLr * Math.pow(config.gamma, passed);
      };
    }
  }
}
