import type { TrainerEvent } from './events.js';

/**
 * Appends each event as one JSON line, synchronously: after a crash or kill -9 the log holds every
 * step that finished. (Node only.)
 */
export async function jsonlWriter(path: string): Promise<(event: TrainerEvent) => void> {
  const { appendFileSync, mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(path), { recursive: true });
  return (event) => appendFileSync(path, JSON.stringify(event) + '\n');
}

/** Reads a JSONL log back (for tests and reports). */
export async function readJsonl<T = TrainerEvent>(path: string): Promise<T[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}
