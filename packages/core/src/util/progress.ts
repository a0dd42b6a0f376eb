/**
 * Progress of a long command, the one implementation behind every @fr progress display (training,
 * `fr-bench report`, `fr-bench bench`, `fr-data rec|bin`): on a terminal one line redrawn in place
 * (bar, count, rate, ETA); elsewhere plain lines now and then, so a log file or CI output stays
 * readable and free of control characters.
 */

/** Where progress goes: a process stream, or anything with `write` (tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly columns?: number;
  readonly isTTY?: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressDisplayOptions {
  /** First word of every line: `rec`, `embedding`, `step`… */
  readonly label: string;
  /** How many items the work has: gives a bar, a percentage and an ETA. Without it: elapsed time and the latest status. */
  readonly total?: number;
  /** What is counted, for the rate (`960 images/s`); no rate is shown without it. */
  readonly unit?: string;
  /** Items already done when the display starts (a resumed run): rate and ETA count from here. */
  readonly start?: number;
  /**
   * `bar`: one line redrawn in place (needs a terminal); `lines`: a plain line now and then (logs,
   * CI); `auto` (default): `bar` when the stream is a TTY, else `lines`.
   */
  readonly mode?: 'auto' | 'bar' | 'lines';
  /** `lines` mode with a total: a line every this many items (default: a tenth of the work; at most one a second)… */
  readonly every?: number;
  /** …or after this many seconds without one, whichever comes first (default 60). */
  readonly everySeconds?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** A progress display: {@link createProgress}. */
export interface Progress {
  /** `done` items finished (with a total), and an optional detail (`loss 1.23 lr 0.1`, a status). */
  update(done: number, detail?: string): void;
  /** Shows a status with no count (a display without a total): `fr-bench bench`'s phases. */
  status(text: string): void;
  /** A permanent line (a checkpoint, a result): the bar is cleared first and redrawn by the next update. */
  print(line: string): void;
  /** Clears the bar, so that other output (to another stream, say) can follow; the next update redraws it. */
  clear(): void;
  /** Clears the bar; prints `summary` when given. */
  end(summary?: string): void;
}

const BAR_WIDTH = 24;

/** `42s`, `3m05s`, `1h07m`; `?` before there is a rate. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** `960`, `35.2`, `0.84`: three significant figures at most, for rates. */
function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/**
 * A progress display on `stream`: with `total`, `label done/total ▕███░░▏ detail rate ETA` redrawn
 * in place on a TTY, and `label done/total (pct%) detail rate ETA` lines every tenth of the work (or
 * `everySeconds`) elsewhere; without `total`, `label [elapsed] status`.
 * @example
 * ```ts
 * const progress = createProgress(process.stderr, { label: 'rec', total: files.length, unit: 'images' });
 * files.forEach((file, i) => { pack(file); progress.update(i + 1); });
 * progress.end(`wrote ${files.length} images`);
 * ```
 */
export function createProgress(stream: ProgressStream, options: ProgressDisplayOptions): Progress {
  const mode = options.mode === undefined || options.mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : options.mode;
  const now = options.now ?? Date.now;
  const everySeconds = options.everySeconds ?? 60;
  const total = options.total;
  const first = options.start ?? 0;
  const every = options.every ?? (total === undefined ? 1 : Math.max(1, Math.round((total - first) / 10)));
  const started = now();
  let nextLine = first + every;
  let lastLine = started;
  let lastStatusLine = -Infinity;
  let lastDraw = -Infinity;
  let drawn = false;
  let latest: { done: number; detail: string | undefined } | null = null;

  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const counted = (done: number, detail: string | undefined, bar: boolean): string => {
    const seconds = (now() - started) / 1000;
    const rate = (done - first) / Math.max(seconds, 1e-9);
    const parts = [`${options.label} ${done}/${total}`];
    const fraction = total ? Math.min(1, done / total) : 1;
    if (bar) {
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`▕${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}▏`);
    } else {
      parts.push(`(${Math.floor(100 * fraction)}%)`);
    }
    if (detail) parts.push(detail);
    // A rate needs some time behind it (the first items of a batch finish together).
    const measured = done > first && seconds >= 0.5;
    if (options.unit && measured) parts.push(`${formatRate(rate)} ${options.unit}/s`);
    parts.push(`ETA ${formatDuration(measured ? ((total as number) - done) / rate : done >= (total as number) ? 0 : Infinity)}`);
    return parts.join(' ');
  };
  const uncounted = (detail: string): string => `${options.label} [${formatDuration((now() - started) / 1000)}] ${detail}`;
  const draw = (line: string): void => {
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 200) - 1)}`);
    drawn = true;
    lastDraw = now();
  };

  return {
    update(done, detail) {
      if (total === undefined) {
        if (detail !== undefined) this.status(detail);
        return;
      }
      latest = { done, detail };
      if (mode === 'lines') {
        // Counts may jump (a batch at a time): a line once the count passes the next multiple of `every`.
        const due = done >= nextLine || done >= total || now() - lastLine >= everySeconds * 1000;
        // At most a line a second: a job that ends in moments needs only its summary.
        if (!due || now() - lastLine < 1000) return;
        lastLine = now();
        nextLine = first + (Math.floor((done - first) / every) + 1) * every;
        stream.write(`${counted(done, detail, false)}\n`);
        latest = null;
        return;
      }
      // A redraw costs a terminal write; ten a second is as fast as anyone reads.
      if (now() - lastDraw < 100 && done < total) return;
      draw(counted(done, detail, true));
    },
    status(text) {
      if (mode === 'lines') {
        if (now() - lastStatusLine < everySeconds * 1000) return;
        lastStatusLine = now();
        stream.write(`${uncounted(text)}\n`);
        return;
      }
      draw(uncounted(text));
    },
    print(line) {
      clear();
      stream.write(`${line}\n`);
    },
    clear,
    end(summary) {
      if (mode === 'bar' && latest && total !== undefined) draw(counted(latest.done, latest.detail, true));
      if (drawn) stream.write('\n');
      drawn = false;
      if (summary !== undefined) stream.write(`${summary}\n`);
    },
  };
}
