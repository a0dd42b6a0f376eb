const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40,
};

/**
 * Parses a byte size: a number with an optional unit — `B`, decimal `KB MB GB TB`, binary
 * `KiB MiB GiB TiB`, or a bare `K M G T` (binary, as `ulimit`/`free` read them). Case-insensitive.
 * @example
 * ```ts
 * parseBytes('8GiB'); // 8589934592
 * parseBytes('1.5 GB'); // 1500000000
 * ```
 */
export function parseBytes(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (!match || unit === undefined) throw new Error(`Cannot read ${JSON.stringify(text)} as a size: use e.g. 8GiB, 512MiB, 1.5GB or 1073741824`);
  return Math.round(Number(match[1]) * unit);
}

/**
 * Formats bytes with binary units and three significant digits.
 * @example
 * ```ts
 * formatBytes(4_096_000_000); // '3.81 GiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toPrecision(3)} ${units[i]}`;
}
