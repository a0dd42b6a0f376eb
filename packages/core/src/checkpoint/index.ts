export { encodeCheckpoint, decodeCheckpoint, CheckpointFormatError, type CheckpointContents, type HostTensor } from './format.js';
export { crc32 } from './crc32.js';
export { writeFileAtomic, writeCheckpointFile, readCheckpointFile, checkpointPath, listCheckpoints, latestCheckpoint, newestReadableCheckpoint, setAsideDamagedCheckpoint, pruneCheckpoints, type DamagedCheckpoint } from './files.js';
export { captureTrainerState, restoreTrainerState, trainerRngs, type TrainerStateParts, type TrainerRngs, type TrainingPosition } from './trainer-state.js';
