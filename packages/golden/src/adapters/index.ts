import type { GoldenAdapter } from '../schema.js';
import { verificationAdapter } from './verification.js';
import { arcfaceAdapter } from './arcface.js';
import { boundaryAdapter } from './boundary.js';
import { topofrAdapter } from './topofr.js';
import { transfaceAdapter } from './transface.js';

/** Every adapter the golden runner knows. Add one per method family. */
export const adapters: readonly GoldenAdapter[] = [verificationAdapter, arcfaceAdapter, boundaryAdapter, topofrAdapter, transfaceAdapter];
