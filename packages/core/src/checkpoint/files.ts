/**
 * Checkpoint files on disk (Node): atomic writes (temp file, fsync, rename, fsync of the folder),
 * so a crash or kill -9 at any moment leaves either the previous checkpoint or the new one, never
 * a torn file.
 */
import { decodeCheckpoint, encodeCheckpoint, type CheckpointContents } from './format.js';

const PATTERN = /^step-(\d+)\.frckpt$/;

async function fs() {
  return import('node:fs/promises');
}

/**
 * Writes `data` to `path` atomically (temp file in the same folder, fsync, rename, fsync of the
 * folder): readers see the old file or the complete new one, never a torn write. Creates the folder.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { open, rename, mkdir, rm } = await fs();
  const { dirname } = await import('node:path');
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  try {
    const dirHandle = await open(dir, 'r');
    await dirHandle.sync().finally(() => dirHandle.close());
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

export async function writeCheckpointFile(path: string, contents: CheckpointContents): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(contents));
}

export async function readCheckpointFile(path: string): Promise<CheckpointContents> {
  const { readFile } = await fs();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`Cannot read checkpoint ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return decodeCheckpoint(bytes, path);
}

/** `step-<n>.frckpt` path inside `dir`. */
export function checkpointPath(dir: string, step: number): string {
  return `${dir.replace(/[\\/]+$/, '')}/step-${String(step).padStart(8, '0')}.frckpt`;
}

/** Checkpoints in `dir`, oldest first. Leftover temp files of interrupted writes are ignored. */
export async function listCheckpoints(dir: string): Promise<{ path: string; step: number }[]> {
  const { readdir } = await fs();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: PATTERN.exec(name) }))
    .filter((x): x is { name: string; match: RegExpExecArray } => x.match !== null)
    .map(({ name, match }) => ({ path: `${dir.replace(/[\\/]+$/, '')}/${name}`, step: Number(match[1]) }))
    .sort((a, b) => a.step - b.step);
}

/** A checkpoint that could not be read or decoded, and why. */
export interface DamagedCheckpoint {
  readonly path: string;
  readonly reason: string;
}

/**
 * The newest checkpoint of `dir` that reads and decodes (CRC and format checked), and the newer
 * ones that did not. Damaged files are left where they are, for inspection.
 */
export async function newestReadableCheckpoint(dir: string): Promise<{ found: { path: string; contents: CheckpointContents } | null; damaged: DamagedCheckpoint[] }> {
  const damaged: DamagedCheckpoint[] = [];
  for (const { path } of (await listCheckpoints(dir)).reverse()) {
    try {
      return { found: { path, contents: await readCheckpointFile(path) }, damaged };
    } catch (error) {
      damaged.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { found: null, damaged };
}

/**
 * Moves a damaged checkpoint aside (`<name>.damaged`, or `.damaged-2`, … if taken), so that it is
 * kept for inspection but never resumed from, pruned or overwritten by a new checkpoint of its step.
 */
export async function setAsideDamagedCheckpoint(path: string): Promise<string> {
  const { rename, access } = await fs();
  for (let n = 1; ; n++) {
    const target = `${path}.damaged${n === 1 ? '' : `-${n}`}`;
    const taken = await access(target).then(() => true, () => false);
    if (taken) continue;
    await rename(path, target);
    return target;
  }
}

/** The newest checkpoint in `dir`, or null. */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  const all = await listCheckpoints(dir);
  return all.length > 0 ? (all[all.length - 1] as { path: string }).path : null;
}

/** Deletes all but the newest `keep` checkpoints (and stale temp files) in `dir`. */
export async function pruneCheckpoints(dir: string, keep: number): Promise<void> {
  const { rm, readdir } = await fs();
  const all = await listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(old.path, { force: true });
  for (const name of await readdir(dir)) {
    if (/\.frckpt\.tmp-(\d+)-/.test(name)) {
      const pid = Number(/\.tmp-(\d+)-/.exec(name)?.[1]);
      if (pid !== process.pid) await rm(`${dir}/${name}`, { force: true });
    }
  }
}
