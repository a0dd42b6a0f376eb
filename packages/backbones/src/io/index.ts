export { saveBackbone, loadBackbone } from './save-load.js';
export {
  MODEL_FORMAT, FORMAT_VERSION, backboneToArtifacts, backboneFromArtifacts, backboneMetadata, readBackboneHeader,
  type BackboneMetadata, type BackboneExpectations, type LoadBackboneOptions,
} from './model-format.js';
