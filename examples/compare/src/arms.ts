/**
 * The arms of the comparison and the claims they test. An arm is a recipe (one of
 * `examples/recipes`, or one of `examples/compare/recipes` for the baselines no method recipe
 * covers) plus the overrides that make it that arm; the shared budget (backbone, optimiser,
 * schedule, steps, batch, data, evaluation) is set for every arm alike by `plan.ts`.
 */

/** One arm: a method (or baseline) at one label-noise rate. */
export interface Arm {
  /** Run name and folder: letters, digits, `-`. */
  readonly id: string;
  /** Row label in tables and plots. */
  readonly label: string;
  /** The method, for the accuracy-vs-noise plot (one line per method). */
  readonly method: string;
  /** Relative to `examples/`. */
  readonly recipe: string;
  /** `cnn`: the shared MobileFaceNet and SGD; `vit`: the TransFace recipe's small ViT and AdamW. */
  readonly family: 'cnn' | 'vit';
  /** Whether it trains a classifier (a center bank + margin head); the triplet arm does not. */
  readonly classifier: boolean;
  /** Closed-set label noise injected into the CelebA training labels (0, 0.2, 0.4). */
  readonly noise: number;
  /** Whether its margin head is BoundaryFace (its corrections are scored against the injected flips). */
  readonly detector: boolean;
  /** The arm's own overrides (`--set` strings), after the shared ones. */
  readonly set: readonly string[];
  /** What the arm is and how the paper's schedule was scaled: becomes the run's recipe `description`. */
  readonly description: string;
}

/** A claim of a paper, as a direction: `better` beats `than` at equal budget. */
export interface Claim {
  readonly id: string;
  /** The paper (or article) making it. */
  readonly source: string;
  readonly statement: string;
  readonly better: string;
  readonly than: string;
}

const pct = (noise: number): string => `${Math.round(noise * 100)}%`;
const noiseId = (noise: number): string => (noise === 0 ? '' : `-n${Math.round(noise * 100)}`);
const noiseLabel = (noise: number): string => (noise === 0 ? '' : `, ${pct(noise)} noise`);

/** BoundaryFace's schedule at 3 epochs: correction from the 2nd epoch. */
const BOUNDARY_SCHEDULE = 'epochStart 0 (correction and the regulariser from the 2nd of the 3 epochs, after 1/3 of training): the paper corrects after 7 of 30 epochs on WebFace (23%) and 10 of 24 on MS1M (42%); 1/3 sits between them.';

function arcface(noise: number): Arm {
  return {
    id: `arcface${noiseId(noise)}`, label: `ArcFace${noiseLabel(noise)}`, method: 'ArcFace', recipe: 'recipes/arcface-cpu.json',
    family: 'cnn', classifier: true, noise, detector: false, set: [],
    description: `ArcFace (s 16, m 0.1, exact th/mm gradient) on the CelebA crops${noise > 0 ? ` with ${pct(noise)} closed-set label noise` : ''}: the baseline.`,
  };
}

function boundaryFace(noise: number): Arm {
  return {
    id: `boundaryface${noiseId(noise)}`, label: `BoundaryFace${noiseLabel(noise)}`, method: 'BoundaryFace', recipe: 'recipes/boundaryface-cpu.json',
    family: 'cnn', classifier: true, noise, detector: true, set: [],
    description: `BoundaryFace (s 16, m 0.1, λ π, official variant)${noise > 0 ? ` with ${pct(noise)} closed-set label noise` : ''}. ${BOUNDARY_SCHEDULE} The full FC's init and the optimiser are the comparison's (the recipe's Xavier init and Nesterov momentum are overridden) so that only the head differs from ArcFace.`,
  };
}

function topoFR(noise: number): Arm {
  return {
    id: `topofr${noiseId(noise)}`, label: `TopoFR${noiseLabel(noise)}`, method: 'TopoFR', recipe: 'recipes/topofr-cpu.json',
    family: 'cnn', classifier: true, noise, detector: false, set: [],
    description: `TopoFR: ArcFace (exact, s 16, m 0.1) + SDS sample weights + ISA topology alignment (α 0.1) + RSP perturbation (ψ 0.2)${noise > 0 ? `, ${pct(noise)} closed-set label noise` : ''}. On the comparison's MobileFaceNet instead of the recipe's IResNet-18 (no trainable features-BN γ: MobileFaceNet has no such layer) and without the recipe's gradient clipping, so that only the plugins differ from ArcFace.`,
  };
}

/** Every arm, in table order. */
export const ARMS: readonly Arm[] = [
  arcface(0),
  boundaryFace(0),
  topoFR(0),
  {
    id: 'softmax', label: 'Softmax (normalised, s 16)', method: 'Softmax', recipe: 'compare/recipes/center-softmax-cpu.json',
    family: 'cnn', classifier: true, noise: 0, detector: false, set: ['losses=[]'],
    description: 'A normalised softmax (s·cos θ, s 16): ArcFace without its margin; the control of the centre-loss claim.',
  },
  {
    id: 'center-softmax', label: 'Centre loss + softmax', method: 'Centre loss', recipe: 'compare/recipes/center-softmax-cpu.json',
    family: 'cnn', classifier: true, noise: 0, detector: false, set: [],
    description: 'Centre loss (λ 0.003, α 0.5) next to the normalised softmax (s 16), Wen et al. 2016.',
  },
  {
    id: 'triplet', label: 'Triplet (semi-hard, 8×4 batches)', method: 'Triplet', recipe: 'compare/recipes/triplet-cpu.json',
    family: 'cnn', classifier: false, noise: 0, detector: false, set: [],
    description: 'FaceNet\'s triplet loss alone (semi-hard, α 0.2) on m-per-class batches of 8 identities × 4 images; no classifier.',
  },
  {
    id: 'vit-arcface', label: 'ViT + ArcFace', method: 'ViT ArcFace', recipe: 'recipes/transface-cpu.json',
    family: 'vit', classifier: true, noise: 0, detector: false, set: ['losses=[]', 'augments=[]'],
    description: 'The TransFace recipe\'s small ViT (SE patch gate, 45×45, 9-px patches, dim 64, depth 2) with straight-through ArcFace and AdamW, without EHSM and DPAP: TransFace\'s baseline.',
  },
  {
    id: 'transface', label: 'TransFace (ViT + EHSM + DPAP)', method: 'TransFace', recipe: 'recipes/transface-cpu.json',
    family: 'vit', classifier: true, noise: 0, detector: false, set: [],
    description: 'TransFace: the same ViT and ArcFace, plus EHSM sample weights and DPAP patch-amplitude perturbation (K 7 of 25 patches, probability 0.2).',
  },
  arcface(0.2),
  boundaryFace(0.2),
  topoFR(0.2),
  {
    id: 'topofr-boundaryface-n20', label: 'TopoFR + BoundaryFace, 20% noise', method: 'TopoFR + BoundaryFace', recipe: 'recipes/topofr-boundaryface-cpu.json',
    family: 'cnn', classifier: true, noise: 0.2, detector: true, set: [],
    description: `TopoFR (SDS, ISA, RSP) on BoundaryFace's head, 20% closed-set label noise. ${BOUNDARY_SCHEDULE} On the comparison's MobileFaceNet, without gradient clipping.`,
  },
  arcface(0.4),
  boundaryFace(0.4),
];

/** The claims, each a pair of arms; the verdict is on the CelebA held-out pairs (the training domain). */
export const CLAIMS: readonly Claim[] = [
  { id: 'boundary-20', source: 'BoundaryFace (ECCV 2022)', statement: 'BoundaryFace beats ArcFace under 20% closed-set label noise', better: 'boundaryface-n20', than: 'arcface-n20' },
  { id: 'boundary-40', source: 'BoundaryFace (ECCV 2022)', statement: 'BoundaryFace beats ArcFace under 40% closed-set label noise', better: 'boundaryface-n40', than: 'arcface-n40' },
  { id: 'boundary-0', source: 'BoundaryFace (ECCV 2022)', statement: 'BoundaryFace beats ArcFace on clean labels', better: 'boundaryface', than: 'arcface' },
  { id: 'topofr', source: 'TopoFR (NeurIPS 2024)', statement: 'TopoFR (RSP + ISA + SDS) beats ArcFace on the same backbone', better: 'topofr', than: 'arcface' },
  { id: 'transface', source: 'TransFace (ICCV 2023)', statement: 'EHSM + DPAP beat the same ViT with ArcFace', better: 'transface', than: 'vit-arcface' },
  { id: 'arcface-triplet', source: 'ArcFace (CVPR 2019) vs FaceNet', statement: 'ArcFace beats the triplet loss', better: 'arcface', than: 'triplet' },
  { id: 'arcface-center', source: 'ArcFace (CVPR 2019)', statement: 'ArcFace beats centre loss + softmax', better: 'arcface', than: 'center-softmax' },
  { id: 'center-softmax', source: 'Centre loss (ECCV 2016)', statement: 'Centre loss improves on the softmax alone', better: 'center-softmax', than: 'softmax' },
  { id: 'arcface-softmax', source: 'ArcFace (CVPR 2019)', statement: 'The additive angular margin improves on the normalised softmax', better: 'arcface', than: 'softmax' },
  { id: 'compose-vs-boundary', source: '@fr (cross-paper composition)', statement: 'TopoFR + BoundaryFace beats BoundaryFace alone under 20% noise', better: 'topofr-boundaryface-n20', than: 'boundaryface-n20' },
  { id: 'compose-vs-topofr', source: '@fr (cross-paper composition)', statement: 'TopoFR + BoundaryFace beats TopoFR alone under 20% noise', better: 'topofr-boundaryface-n20', than: 'topofr-n20' },
];

/** The arm of an id, or an error listing the ids. */
export function armById(id: string): Arm {
  const arm = ARMS.find((a) => a.id === id);
  if (!arm) throw new Error(`unknown arm "${id}"; arms: ${ARMS.map((a) => a.id).join(', ')}`);
  return arm;
}
