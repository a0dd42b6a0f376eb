/**
 * @fr/bench — face-verification evaluation: the insightface `.bin` protocol (10-fold accuracy,
 * XNorm), ROC/AUC/EER/TAR@FAR, closed-set identification, threshold calibration, and
 * JSON/HTML/SVG/PNG reports. Pure TypeScript on plain arrays (float64 arithmetic); TensorFlow.js
 * tensors are accepted structurally.
 *
 * @example
 * ```ts
 * import { evaluateVerification, renderVerificationReport } from '@fr/bench';
 * const r = evaluateVerification(embeddings, issame, { flipped });
 * console.log(r.accuracyMean, r.accuracyStd, r.xnorm);
 * await renderVerificationReport({ dataset: 'lfw', model: 'r50', embeddings, flipped, issame }, { outDir: 'out' });
 * ```
 * @packageDocumentation
 */
export type { DenseMatrix, EmbeddingMatrix, PairLabels, TensorLike2D } from './eval/matrix.js';
export { kFoldRanges, type FoldRange } from './eval/kfold.js';
export { mean, pairwiseSum, populationStd } from './eval/stats.js';
export {
  evaluateVerification,
  evaluateVerificationDistances,
  insightfaceThresholds,
  type EmbeddingVerificationOptions,
  type VerificationFold,
  type VerificationOptions,
  type VerificationResult,
} from './eval/verification.js';
export { pairScores, type PairScores } from './eval/scores.js';
export {
  auc,
  DEFAULT_FAR_TARGETS,
  equalErrorRate,
  minImpostorsForFar,
  rocCurve,
  tarAtFar,
  type EqualErrorRate,
  type RocCurve,
  type RocOptions,
  type TarAtFar,
} from './eval/roc.js';
export {
  identificationAccuracy,
  type IdentificationInput,
  type IdentificationOptions,
  type IdentificationResult,
  type IdentityLabels,
} from './eval/identification.js';
export {
  calibrateEmbeddingThresholds,
  calibrateThreshold,
  type CalibrationOptions,
  type CalibrationTarget,
  type EmbeddingCalibration,
  type ThresholdCalibration,
} from './eval/calibration.js';
export {
  buildVerificationReport,
  type DualThreshold,
  type ReportFold,
  type ReportRoc,
  type ReportTarAtFar,
  type VerificationReport,
  type VerificationReportInput,
} from './report/build.js';
export { renderFoldAccuracySvg, renderRocSvg, renderScoreHistogramSvg, type PlotSize } from './report/plots.js';
export { renderLineChart, type LineChart, type LineSeries } from './report/line-chart.js';
export { renderBarChart } from './benchmarks/chart.js';
export type { BenchChart, ChartBar } from './benchmarks/types.js';
export { escapeXml } from './report/svg.js';
export { formatAccuracy, htmlPage, renderReportHtml, type ReportPlots } from './report/html.js';
export { CHROMIUM_ARGS, findChromium, svgToPng } from './report/png.js';
export {
  fileStem,
  renderVerificationReport,
  type RenderedReport,
  type RenderReportOptions,
} from './report/render.js';
export { embedVerificationSet, type EmbedSetOptions, type SetEmbeddings } from './evaluate/embed-set.js';
export { verifyBackbone, verificationCallback, type BackboneVerification, type VerificationCallbackOptions } from './evaluate/verify-backbone.js';
export { forwardMacsPerImage, kernelMacs, trainStepFlops } from './benchmarks/flops.js';
