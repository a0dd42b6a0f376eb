import type { Backbone } from '../contract/backbone.js';
import type { HostBatch } from '../data/dataset.js';

/**
 * Checks a host batch before any tensor is made: NHWC with 3 channels at the backbone's input
 * size, as many pixel values and labels as the shape says, labels within `[0, numClasses)`. Each
 * error names the image (and its source file when the dataset gives ids).
 */
export function validateBatch(batch: HostBatch, backbone: Backbone, numClasses: number | undefined): void {
  const [b, h, w, ch] = batch.shape;
  const size = backbone.config.inputSize;
  const where = (i: number): string => (batch.ids?.[i] ? ` (${batch.ids[i]})` : '');
  if (batch.shape.length !== 4 || ch !== 3) throw new Error(`Batch images must be NHWC with 3 channels, got shape [${batch.shape}]`);
  if (h !== size || w !== size) {
    throw new Error(`Batch images are ${h}x${w} but backbone "${backbone.name}" takes ${size}x${size}: resize in the data pipeline`);
  }
  if (batch.images.length !== b * h * w * ch) throw new Error(`Batch has ${batch.images.length} pixel values for shape [${batch.shape}]`);
  if (batch.labels.length !== b) throw new Error(`Batch has ${b} images but ${batch.labels.length} labels`);
  if (numClasses === undefined) return;
  for (let i = 0; i < b; i++) {
    const y = batch.labels[i] as number;
    if (!(y >= 0 && y < numClasses)) {
      throw new Error(`Label ${y} of image ${i}${where(i)} is outside [0, ${numClasses}): the dataset and the center bank disagree on the number of classes`);
    }
  }
}
