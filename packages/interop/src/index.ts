/**
 * @fr/interop — models in and out of @fr: ONNX export and import, arcface_torch `.pth` /
 * `.safetensors` state dicts (read without executing pickle), tfjs GraphModel export, and the
 * `fr-export` / `fr-import` CLIs.
 * @packageDocumentation
 */
export type { RawDtype, RawTensor, RawStateDict } from './tensors/raw-tensor.js';
export { readSafetensors, writeSafetensors, type SafetensorsFile } from './safetensors/safetensors.js';
export { readPth, writePth, type ReadPthOptions } from './pth/pth.js';
export { inferArchitecture, type InferredArchitecture } from './state-dict/infer-architecture.js';
export { backboneFromStateDict, backboneToStateDict, type StateDictImportOptions } from './state-dict/torch-state-dict.js';
export { exportOnnx, ONNX_INPUT, ONNX_OUTPUT, type OnnxExportOptions } from './onnx/export-onnx.js';
export { contractMetadata, type ContractOptions } from './preprocessing-metadata.js';
export { inferenceGraph } from './graph/build-graph.js';
export type { InferenceGraph, GraphOp, Value } from './graph/inference-graph.js';
export { loadOnnxRuntime, createOnnxEmbedder, type OnnxEmbedder, type OnnxEmbedderOptions, type OrtModule, type OrtSession, type OrtTensor } from './onnx/onnxruntime.js';
export { importOnnx, type OnnxImportOptions } from './onnx/import-onnx.js';
export { exportGraphModel, GRAPH_MODEL_INPUT, GRAPH_MODEL_OUTPUT, type GraphModelExportOptions } from './graph-model/export-graph-model.js';
export { importBackbone, detectFormat, type ImportBackboneOptions, type ModelFileFormat } from './import-backbone.js';
export { VERSION } from './version.js';
export { onnxModelInfo, type OnnxModelInfo } from './onnx/model-info.js';
