/**
 * TopoFR's structure alignment and uncertainty weighting on top of BoundaryFace's closed-set
 * noise correction: two papers, two forks upstream, one composition here.
 */
import { createTrainer, fullFC, type TrainingDataset } from '@fr/core';
import { createBackbone } from '@fr/backbones';
import { boundaryFace } from '@fr/loss-boundary';
import { randomStructurePerturbation, sds, topologyAlignment } from '@fr/topofr';

export function topofrWithBoundaryFace(dataset: TrainingDataset, steps: number) {
  return createTrainer({
    backbone: createBackbone('iresnet18', { inputSize: 56, embeddingSize: 128, widthMultiplier: 0.25, featuresGammaTrainable: true }),
    centers: fullFC({ numClasses: dataset.numClasses, embeddingSize: 128 }),
    margin: boundaryFace({ s: 32, m: 0.5, epochStart: 1 }),   // rewrites noisy labels, adds its regulariser
    losses: [sds(), topologyAlignment({ weight: 0.1 })],      // TopoFR: GUM sample weights + ISA term
    augments: [randomStructurePerturbation({ probability: 0.2 })],
    dataset,
    config: {
      batchSize: 32, steps, seed: 2048,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
      schedule: { type: 'polynomial', power: 2, flavour: 'legacy' },
      clipGradNorm: { maxNorm: 5, scope: 'all' },
    },
  });
}
