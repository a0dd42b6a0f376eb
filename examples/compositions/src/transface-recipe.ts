/** The TransFace recipe: ViT + SE patch gate, straight-through ArcFace, EHSM weights, DPAP. */
import { createTrainer, fullFC, type TrainingDataset } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { arcface } from '@fr/loss-arcface';
import { dpap, ehsm } from '@fr/transface';

export function transface(dataset: TrainingDataset, steps: number, options: { inputSize?: number; dim?: number; depth?: number; batchSize?: number } = {}) {
  const inputSize = options.inputSize ?? 112;
  return createTrainer({
    backbone: createBackbone('transface_s', { inputSize, patchSize: 9, embeddingSize: 512, dim: options.dim, depth: options.depth }),
    centers: fullFC({ numClasses: dataset.numClasses, embeddingSize: 512 }),
    margin: arcface({ s: 64, m: 0.5, gradient: 'straight-through' }),
    losses: [ehsm()],
    augments: [dpap({ k: 7, probability: 0.2 })],
    dataset,
    config: {
      batchSize: options.batchSize ?? 128, steps, seed: 2048,
      optimizer: { type: 'adamw', lr: 1e-3, weightDecay: 0.1 },
      schedule: { type: 'polynomial', power: 2, flavour: 'legacy', warmupSteps: Math.round(steps / 10) },
      crossEntropy: { minProbability: 1e-30 },
    },
  });
}
