export { encodeCheckpoint, decodeCheckpoint, CheckpointFormatError, type CheckpointContents, type HostTensor } from './format.js';
export { writeFileAtomic, writeCheckpointFile, readCheckpointFile, checkpointPath, listCheckpoints, latestCheckpoint, pruneCheckpoints } from './files.js';
