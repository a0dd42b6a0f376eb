/**
 * A tiny static server for the built page (node:http only). It sends
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, so the
 * page is cross-origin isolated and the wasm backend may use its threaded build (SharedArrayBuffer),
 * and `application/wasm` for the binaries (streaming compilation).
 *
 * Usage: `npm run serve [-- --dir <folder>] [-- --port 8080] [-- --host 127.0.0.1]`.
 * WebGPU needs a secure context: http://127.0.0.1 and http://localhost are; a LAN address is not.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
};

export interface ServeOptions {
  /** Default 127.0.0.1 (a secure context for WebGPU). */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Send COOP/COEP so the page is cross-origin isolated (default true). */
  readonly isolated?: boolean;
}

export interface StaticServer {
  /** e.g. `http://127.0.0.1:43210` (no trailing slash). */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves the files of `dir` (GET/HEAD; `/` is `index.html`); nothing outside it. */
export function serveFolder(dir: string, options: ServeOptions = {}): Promise<StaticServer> {
  const root = resolve(dir);
  const isolated = options.isolated ?? true;
  const server = createServer((req, res) => {
    const send = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    const file = normalize(join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return send(404, 'not found');
      size = stat.size;
    } catch {
      return send(404, 'not found');
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
      ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolvePromise({
        url: `http://${host}:${port}`,
        server,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────────────
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dir = arg('dir') ?? fileURLToPath(new URL('../dist/', import.meta.url));
  try {
    statSync(join(dir, 'index.html'));
  } catch {
    console.error(`${dir} has no index.html: run \`npm run build\` first`);
    process.exit(1);
  }
  serveFolder(dir, { host: arg('host'), port: Number(arg('port') ?? 8080) }).then((s) => {
    console.info(`serving ${dir} at ${s.url}/  (Ctrl-C to stop)`);
    console.info(`  ${s.url}/?steps=8            auto: webgpu with a hardware adapter, else wasm`);
    console.info(`  ${s.url}/?backend=webgpu     webgpu by name (a software adapter is accepted then)`);
    console.info(`  ${s.url}/?backend=wasm&threads=4`);
  }, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
