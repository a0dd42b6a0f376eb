/**
 * @fr/data — face datasets for @fr training and evaluation in Node, without Python or MXNet:
 * image decoding, ImageFolder and InsightFace RecordIO training sets with worker prefetch, LFW
 * pairs and `.bin` verification sets, five-point alignment.
 * @packageDocumentation
 */
export { DataError, IssueLog, dataError, type BadDataPolicy, type DataIssue, type DataIssueKind, type LogSink } from './errors.js';

export type { ColorConversion, DecodedImage, ImageFormat, ImageInfo, RgbImage } from './image/types.js';
export { IMAGE_EXTENSIONS, probeImage, sniffFormat } from './image/probe.js';
export { decodeImage, decodeImageAsync, sharpAvailable, type DecodeOptions, type DecoderChoice } from './image/decode.js';
export { encodeJpeg } from './image/jpeg-encoder.js';
export { fitSquare, policyCrop, resizeBilinear, type CropBox, type ResizePolicy } from './image/resize.js';
export { toFloatSample, writeSample, type ColorOrder, type Normalization, type SampleOptions } from './image/normalize.js';
export { flipBatchHorizontal, flipImageHorizontal } from './image/flip.js';

export { refId, type ImageRef } from './dataset/image-ref.js';
export { ImageDataset, type DatasetReport, type Example, type LoaderOptions } from './dataset/image-dataset.js';
export { ImageFolderDataset, type ImageFolderOptions } from './dataset/image-folder.js';
export { RecordIODataset, type RecordDatasetOptions } from './dataset/record-dataset.js';
export { scanImageFolder, type FolderScan, type ScanOptions } from './dataset/scan-image-folder.js';
export { parseIdentityList, readIdentityList, splitIdentities, type IdentityFilter } from './dataset/identity-split.js';
export { validateRefs, type ValidationMode, type ValidationResult } from './dataset/validate.js';
export { planEpoch, mPerClassEpochSize, type EpochPlan, type SamplerOptions } from './dataset/sampler.js';
export { closedSetNoise, type ClosedSetNoise, type LabelNoiseOptions } from './dataset/label-noise.js';
export { DecodePool, defaultWorkerCount, type DecodePoolOptions } from './dataset/decode-pool.js';

export { formatPairs, pairsSubset, parsePairs, readPairsFile, type PairEntry, type PairsFile, type PairsLayout } from './pairs/pairs-file.js';
export { pairPathFunction, resolvePairs, type FilePattern, type ResolvedPair, type ResolvePairsOptions } from './pairs/resolve.js';
export { VerificationSet, kfoldAssignment, type DistinctImages, type VerificationBatch, type VerificationBatchOptions } from './pairs/verification-set.js';

export { RECORDIO_MAGIC, RecordFile, RecordIOWriter, decodeRecord, encodeRecord, readRecordIndex, type RecordIndexEntry } from './formats/recordio.js';
export { IR_HEADER_SIZE, packIRHeader, recordClass, unpackIRHeader, type IRHeader } from './formats/ir-header.js';
export { InsightfaceRec, InsightfaceRecWriter, recordPaths, type OpenRecOptions, type RecIdentityRange, type RecImageEntry, type RecWriteSummary } from './formats/insightface-rec.js';
export { PyTuple, PyGlobal, PyCall, PyPersistentId, PyObject, pickleDumps, pickleLoads, type PickleLoadOptions, type PickleProtocol, type PickleValue } from './formats/pickle.js';
export { encodeVerificationBin, parseVerificationBin, readVerificationBin, writeVerificationBin, type VerificationBin } from './formats/verification-bin.js';
export { encodeForContainer, type ContainerImageOptions } from './formats/container-image.js';

export { ARCFACE_TEMPLATE_112, arcfaceTemplate, type Point } from './align/template.js';
export { applyAffine, estimateSimilarity, invertAffine, similarityMatrix, type Affine } from './align/similarity.js';
export { warpAffine, type WarpOptions } from './align/warp.js';
export { alignFace, alignmentTransform } from './align/align-face.js';
export { IBUG68, fivePointsFrom68 } from './align/five-points.js';
export { LANDMARKS_FORMAT, formatLandmarksFile, parseLandmarksFile, readLandmarksFile, type FaceLandmarks, type LandmarksFile } from './align/landmarks-file.js';
export { ALIGN_REPORT_FILE, LANDMARKS_FILE, alignDataset, type AlignDatasetOptions, type AlignReport, type AlignSettings, type NoFacePolicy, type ReportedFace } from './align/align-dataset.js';
export { DetectorUnavailableError, type DetectedFace, type FaceBox, type FaceDetector } from './detect/face-detector.js';
export { pickFace, type FacePick, type PickedFace } from './detect/pick-face.js';
export { FACE_API_INSTALL, loadFaceApiDetector, type FaceApiDetectorOptions, type FaceApiModel } from './detect/face-api.js';
export { encodeImage, formatForPath } from './image/encode-image.js';

export { runCli, type CliIo } from './cli/run.js';
export { measureLoaderThroughput, type LoaderThroughputOptions, type LoaderThroughputResult, type ThroughputMeasurement } from './bench/loader-throughput.js';
export { measureDecoderSpeed, type DecoderRate, type DecoderSpeedResult } from './bench/decoder-speed.js';
