/**
 * The server behind `regpress serve`: the built site folder over HTTP, for
 * reading a build before it is published and for the live-reload loop while
 * editing. It is a development server, but it listens on a socket a browser
 * (and so any page the browser has open) can reach, so it is written as if
 * the requests were hostile:
 *
 * - A request path is decoded once, segment by segment, and refused (404,
 *   always the same page) when a segment could mean anything but a plain name
 *   in the site: `.`/`..`, dotfiles, encoded `/` or `\`, NUL, a `%` left
 *   after decoding (double encoding), empty segments (`//etc/passwd`).
 * - The file is then found with `path.resolve` and `fs.realpath`, and the
 *   real path must still be inside the real root and not hidden, so a
 *   symlink cannot lead out of the site or onto a dotfile.
 * - Only regular files are opened (a FIFO would hang the request), with
 *   O_NOFOLLOW, and the bytes, the ETag and the length all come from the
 *   one open handle.
 * - Every response carries a strict CSP and `nosniff`; there is no inline
 *   script anywhere, so the live-reload client is a file of its own.
 *
 * Choices a client can see:
 * - ETag: strong, the sha256 of the bytes sent, so an identical rebuild
 *   (new mtime, same bytes) keeps every cache valid. No Last-Modified: it
 *   would change on every rebuild and undo that.
 * - Cache-Control: `no-cache` (revalidate every time) for HTML, JSON and
 *   feeds, which change with each build; `public, max-age=300` for the rest.
 * - Range: one `bytes=` range gives 206; several ranges give the whole file
 *   with 200 (RFC 9110 §14.2 lets a server ignore Range), which saves
 *   writing multipart/byteranges for a case browsers do not use; a malformed
 *   Range or one on HEAD is ignored the same way.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, type BigIntStats, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';

export interface ServeOptions {
  /** The site folder (absolute). Only files inside it are ever served. */
  root: string;
  /** 0 = ephemeral. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Live reload: when set, HTML responses get <script src="/__regpress/reload.js" defer></script> before </body>, and /__regpress/events is a Server-Sent Events stream. */
  liveReload?: boolean;
  /** Dynamic routes the caller adds (e.g. /compare?from=&to=): called for paths under /__regpress/ or listed prefixes; return undefined to fall through to 404. */
  dynamic?: (url: URL) => Promise<{ status: number; type: string; body: string | Uint8Array } | undefined>;
  /** e.g. ['/compare']: matches `/compare` and `/compare/…`, not `/compared`. */
  dynamicPrefixes?: string[];
  log?: (line: string) => void;
}

export interface SiteServer {
  url: string;
  port: number;
  /** Tell every connected page to reload (an SSE `reload` event). */
  reload(): void;
  /** Stops listening and drops every connection, SSE streams included. */
  close(): Promise<void>;
}

/** Paths under this are the server's own (and `dynamic`'s), never files of the site. */
const RESERVED = '/__regpress';
const RELOAD_SCRIPT_PATH = `${RESERVED}/reload.js`;
const EVENTS_PATH = `${RESERVED}/events`;
export const RELOAD_TAG = `<script src="${RELOAD_SCRIPT_PATH}" defer></script>`;
const HEARTBEAT_MS = 15_000;

/**
 * The live-reload client. `retry` is not set here but by the stream, so a
 * page whose server restarts reconnects within a second.
 */
const RELOAD_SCRIPT = `// regpress live reload: reloads this page when the site has been rebuilt.
(function () {
  var source = new EventSource('${EVENTS_PATH}');
  source.addEventListener('reload', function () { location.reload(); });
})();
`;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'interest-cohort=(), camera=(), microphone=(), geolocation=()',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ico': 'image/x-icon',
};

/** What changes with every build: the browser must revalidate (cheap, thanks to the ETag). */
const REVALIDATE = new Set(['.html', '.json', '.atom', '.xml']);

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><title>404 ページが見つかりません</title></head>
<body>
<h1>404 ページが見つかりません</h1>
<p>お探しのページはこのサイトにありません。<a href="/">トップページ</a>へ戻ってください。</p>
</body>
</html>
`;

/** Errors that mean "no such servable file" rather than a fault of the server. */
const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EISDIR']);

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function cacheControl(file: string): string {
  return REVALIDATE.has(path.extname(file).toLowerCase()) ? 'no-cache' : 'public, max-age=300';
}

/** `inline` so the PDF opens in the browser; the name is made ASCII for `filename`, with `filename*` carrying the real one. */
export function pdfDisposition(file: string): string {
  const name = path.basename(file);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === name) return `inline; filename="${name}"`;
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

// ---------------------------------------------------------------- request paths

export interface RequestPath {
  /** Decoded, each a plain name: no `/`, `\`, NUL, `%`, control characters, no leading dot. */
  segments: string[];
  /** The path ended in `/` (a directory was asked for). */
  trailingSlash: boolean;
  /** The path as sent (still encoded); safe to echo in a Location once it has passed. */
  raw: string;
  /** The query as sent, with its `?`, or ''. */
  query: string;
}

/**
 * The request target, if it can only name something inside the site and
 * not hidden; undefined otherwise (the caller answers 404). Checked on the
 * decoded segments so that `%2e%2e`, `%2f` and `%5c` are caught, and a `%`
 * left after decoding is refused so that double encoding cannot be decoded
 * again by anything further down.
 */
export function parseRequestPath(target: string): RequestPath | undefined {
  const noFragment = target.split('#', 1)[0] ?? '';
  const q = noFragment.indexOf('?');
  const raw = q < 0 ? noFragment : noFragment.slice(0, q);
  const query = q < 0 ? '' : noFragment.slice(q);
  if (!raw.startsWith('/') || raw.includes('\\')) return undefined;
  const parts = raw.slice(1).split('/');
  const segments: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '') {
      // only the last part may be empty: `/dir/`; `//x` and `/a//b` are refused
      if (i === parts.length - 1) break;
      return undefined;
    }
    const name = decodeSegment(part);
    if (name === undefined) return undefined;
    segments.push(name);
  }
  return { segments, trailingSlash: raw.endsWith('/'), raw, query };
}

function decodeSegment(part: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(part);
  } catch {
    return undefined; // malformed or overlong UTF-8 (`%c0%ae`)
  }
  if (/[/\\%\x00-\x1f\x7f]/.test(name) || name.startsWith('.')) return undefined;
  return name;
}

/** `real` is the root itself or below it, and no part of it below the root is hidden. */
function insideVisible(root: string, real: string): boolean {
  if (real === root) return true;
  const rel = path.relative(root, real);
  if (rel === '' || path.isAbsolute(rel)) return false;
  return rel.split(path.sep).every((s) => s !== '' && !s.startsWith('.'));
}

// ---------------------------------------------------------------- ranges and validators

export type RangeChoice = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * The part of a `size`-byte representation a Range header asks for. Only a
 * single `bytes=` range is honoured; several ranges, other units and
 * malformed values give the whole representation (RFC 9110 §14.2: a server
 * may ignore Range).
 */
export function chooseRange(header: string | undefined, size: number): RangeChoice {
  const full: RangeChoice = { kind: 'full' };
  if (header === undefined) return full;
  const m = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!m) return full;
  const specs = (m[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) return full;
  const spec = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0] ?? '');
  const first = spec?.[1] ?? '';
  const last = spec?.[2] ?? '';
  if (!spec || (first === '' && last === '')) return full;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (end < start && last !== '') return full; // `5-2` is invalid, so the header is ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** If-Range uses the strong comparison; a date (we send no Last-Modified) never matches. */
function ifRangeHolds(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}

function etagOf(sha256hex: string): string {
  return `"${sha256hex}"`;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---------------------------------------------------------------- live reload

/**
 * The HTML with the live-reload tag before its last `</body>` (or at the
 * end when there is none). Searched in a latin1 view so that offsets are
 * byte offsets whatever the encoding: `</body>` is ASCII, and no byte of a
 * multibyte UTF-8 character is.
 */
export function injectReloadTag(html: Uint8Array): Buffer {
  const bytes = Buffer.from(html.buffer, html.byteOffset, html.byteLength);
  const text = bytes.toString('latin1');
  let at = -1;
  for (const m of text.matchAll(/<\/body\s*>/gi)) at = m.index;
  const tag = Buffer.from(RELOAD_TAG, 'latin1');
  if (at < 0) return Buffer.concat([bytes, tag]);
  return Buffer.concat([bytes.subarray(0, at), tag, bytes.subarray(at)]);
}

/**
 * The ETag of a page with the tag injected, from the file's own sha256, so
 * a cached hash is enough to answer If-None-Match without reading the page;
 * the tag is part of the input so a different tag is a different ETag.
 */
function injectedSha(fileSha: string): string {
  return sha256(`${RELOAD_TAG}\0${fileSha}`);
}

// ---------------------------------------------------------------- the server

/** What is sent as a 200 (or a part of it as 206): either bytes in memory or an open file. */
interface Entity {
  type: string;
  etag: string;
  cacheControl: string;
  disposition?: string;
  size: number;
  body: { kind: 'bytes'; bytes: Buffer } | { kind: 'file'; fh: FileHandle };
}

interface HashCacheEntry {
  key: string;
  sha: string;
}

interface Context {
  root: string;
  origin: string;
  liveReload: boolean;
  dynamic: ServeOptions['dynamic'];
  prefixes: string[];
  log: (line: string) => void;
  clients: Set<ServerResponse>;
  /** sha256 by real path, valid while inode, size, mtime and ctime are the same. */
  hashes: Map<string, HashCacheEntry>;
}

/** A bound on the hash cache; a site has far fewer files, so this only guards against a runaway. */
const HASH_CACHE_MAX = 100_000;

export async function serveSite(opts: ServeOptions): Promise<SiteServer> {
  const root = await realRoot(opts.root);
  const rootPath = path.resolve(opts.root);
  const host = opts.host ?? '127.0.0.1';
  const ctx: Context = {
    root,
    origin: '',
    liveReload: opts.liveReload === true,
    dynamic: opts.dynamic,
    prefixes: (opts.dynamicPrefixes ?? []).map((p) => p.replace(/\/+$/, '')).filter((p) => p.startsWith('/') && p !== ''),
    log: opts.log ?? (() => {}),
    clients: new Set(),
    hashes: new Map(),
  };

  const server = createServer((req, res) => {
    res.on('finish', () => ctx.log(`${res.statusCode} ${req.method ?? '?'} ${req.url ?? ''}`));
    // the root is resolved again for each request: the output folder's `site`
    // links into the current generation, which a build swaps atomically, so
    // each request is answered wholly from one generation, the newest
    realpath(rootPath)
      .then(
        (real) => handle(req, res, real === ctx.root ? ctx : { ...ctx, root: real }),
        () => handle(req, res, ctx),
      )
      .catch((e: unknown) => fail(req, res, ctx, e));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => ctx.log(`server error: ${e.message}`));

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const url = `http://${urlHost(host)}:${port}`;
  ctx.origin = url;

  const heartbeat = ctx.liveReload ? setInterval(() => broadcast(ctx, ': heartbeat\n\n'), HEARTBEAT_MS) : undefined;
  heartbeat?.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    reload: () => broadcast(ctx, 'event: reload\ndata: 1\n\n'),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        if (heartbeat) clearInterval(heartbeat);
        server.close((e) => (e ? reject(e) : resolve()));
        for (const c of ctx.clients) c.end();
        ctx.clients.clear();
        // SSE streams and keep-alive sockets would otherwise hold close() open
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function realRoot(root: string): Promise<string> {
  const real = await realpath(path.resolve(root)).catch((e: unknown) => {
    throw new Error(`cannot serve ${root}: not found`, { cause: e });
  });
  if (!(await stat(real)).isDirectory()) throw new Error(`cannot serve ${root}: not a folder`);
  return real;
}

/** A host as it goes in a URL a browser can open: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function broadcast(ctx: Context, chunk: string): void {
  for (const c of ctx.clients) c.write(chunk);
}

function setBaseHeaders(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  setBaseHeaders(res);
  const method = req.method ?? '';
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendSimple(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', false);
  }
  const head = method === 'HEAD';
  const target = parseRequestPath(req.url ?? '');
  if (!target) return notFound(res, ctx, head);
  const pathname = `/${target.segments.join('/')}${target.trailingSlash && target.segments.length > 0 ? '/' : ''}`;

  if (pathname === RESERVED || pathname.startsWith(`${RESERVED}/`)) {
    if (ctx.liveReload && pathname === RELOAD_SCRIPT_PATH) return sendEntity(req, res, reloadScript(), ctx);
    if (ctx.liveReload && pathname === EVENTS_PATH) return openEvents(req, res, ctx, head);
    return sendDynamic(res, ctx, target, head);
  }
  if (ctx.prefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return sendDynamic(res, ctx, target, head);
  return sendStatic(req, res, ctx, target, head);
}

/** A handler threw: a plain 500 (the message goes to the log, never to the client). */
function fail(req: IncomingMessage, res: ServerResponse, ctx: Context, e: unknown): void {
  ctx.log(`error in ${req.method ?? '?'} ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  setBaseHeaders(res);
  sendSimple(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n', req.method === 'HEAD');
}

function sendSimple(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', bytes.length);
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  res.end(head ? undefined : bytes);
}

/** Always the same page, whatever was asked, so nothing of the request is echoed. Live reload applies, so a page missing mid-build comes back by itself. */
function notFound(res: ServerResponse, ctx: Context, head: boolean): void {
  setBaseHeaders(res);
  const page = Buffer.from(NOT_FOUND_PAGE, 'utf8');
  sendSimple(res, 404, 'text/html; charset=utf-8', ctx.liveReload ? injectReloadTag(page) : page, head);
}

function reloadScript(): Entity {
  const bytes = Buffer.from(RELOAD_SCRIPT, 'utf8');
  return { type: TYPES['.js'] ?? 'text/javascript', etag: etagOf(sha256(bytes)), cacheControl: 'no-cache', size: bytes.length, body: { kind: 'bytes', bytes } };
}

function openEvents(req: IncomingMessage, res: ServerResponse, ctx: Context, head: boolean): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  if (head) {
    res.end();
    return;
  }
  // written at once so the client's EventSource opens (and the headers leave) now
  res.write('retry: 1000\n: connected\n\n');
  ctx.clients.add(res);
  const drop = (): void => void ctx.clients.delete(res);
  req.on('close', drop);
  res.on('close', drop);
}

async function sendDynamic(res: ServerResponse, ctx: Context, target: RequestPath, head: boolean): Promise<void> {
  const out = ctx.dynamic ? await ctx.dynamic(new URL(`${target.raw}${target.query}`, ctx.origin)) : undefined;
  if (!out) return notFound(res, ctx, head);
  if (!Number.isInteger(out.status) || out.status < 200 || out.status > 599) throw new Error(`dynamic route gave status ${out.status}`);
  let body = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength);
  if (ctx.liveReload && /^text\/html\b/i.test(out.type)) body = injectReloadTag(body);
  sendSimple(res, out.status, out.type, body, head);
}

// ---------------------------------------------------------------- static files

type Located = { kind: 'file'; real: string } | { kind: 'redirect' } | { kind: 'missing' };

/** The real path of a regular file for a checked request path, or a redirect for a directory asked for without its slash. */
async function locate(ctx: Context, target: RequestPath): Promise<Located> {
  const lexical = path.resolve(ctx.root, ...target.segments);
  if (!insideVisible(ctx.root, lexical)) return { kind: 'missing' };
  const found = await realStat(ctx, lexical);
  if (!found) return { kind: 'missing' };
  if (found.stats.isFile()) return target.trailingSlash ? { kind: 'missing' } : { kind: 'file', real: found.real };
  if (!found.stats.isDirectory()) return { kind: 'missing' };
  // a folder is only a page when it has an index; redirecting to a 404 would help nobody
  const index = await realStat(ctx, path.join(found.real, 'index.html'));
  if (!index?.stats.isFile()) return { kind: 'missing' };
  return target.trailingSlash || target.segments.length === 0 ? { kind: 'file', real: index.real } : { kind: 'redirect' };
}

async function realStat(ctx: Context, p: string): Promise<{ real: string; stats: Stats } | undefined> {
  try {
    const real = await realpath(p);
    if (!insideVisible(ctx.root, real)) return undefined;
    return { real, stats: await stat(real) };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && MISSING_CODES.has(String((e as NodeJS.ErrnoException).code));
}

async function sendStatic(req: IncomingMessage, res: ServerResponse, ctx: Context, target: RequestPath, head: boolean): Promise<void> {
  const found = await locate(ctx, target);
  if (found.kind === 'missing') return notFound(res, ctx, head);
  if (found.kind === 'redirect') {
    res.setHeader('Location', `${target.raw}/${target.query}`);
    return sendSimple(res, 301, 'text/plain; charset=utf-8', 'Moved Permanently\n', head);
  }
  const entity = await openEntity(ctx, found.real);
  if (!entity) return notFound(res, ctx, head);
  return sendEntity(req, res, entity, ctx);
}

/**
 * The file as an entity, opened once: everything sent comes from this handle,
 * so a rebuild that renames a new file into place mid-request cannot mix
 * the old ETag with the new bytes. Undefined when it vanished or was swapped
 * for something that is not a regular file since `locate`.
 */
async function openEntity(ctx: Context, real: string): Promise<Entity | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  try {
    const stats = await fh.stat({ bigint: true });
    if (!stats.isFile()) {
      await fh.close();
      return undefined;
    }
    const size = Number(stats.size);
    const type = contentType(real);
    const base = { type, cacheControl: cacheControl(real), ...(type === TYPES['.pdf'] ? { disposition: pdfDisposition(real) } : {}) };
    if (ctx.liveReload && type === TYPES['.html']) {
      const raw = await fh.readFile();
      await fh.close();
      const fileSha = cachedSha(ctx, real, stats) ?? rememberSha(ctx, real, stats, sha256(raw));
      const bytes = injectReloadTag(raw);
      return { ...base, etag: etagOf(injectedSha(fileSha)), size: bytes.length, body: { kind: 'bytes', bytes } };
    }
    const fileSha = cachedSha(ctx, real, stats) ?? rememberSha(ctx, real, stats, await hashHandle(fh, size));
    return { ...base, etag: etagOf(fileSha), size, body: { kind: 'file', fh } };
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}

function statKey(stats: BigIntStats): string {
  // ctime too: it changes on every write, even one that restores size and mtime
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

function cachedSha(ctx: Context, real: string, stats: BigIntStats): string | undefined {
  const hit = ctx.hashes.get(real);
  return hit?.key === statKey(stats) ? hit.sha : undefined;
}

function rememberSha(ctx: Context, real: string, stats: BigIntStats, sha: string): string {
  if (ctx.hashes.size >= HASH_CACHE_MAX) ctx.hashes.clear();
  ctx.hashes.set(real, { key: statKey(stats), sha });
  return sha;
}

/** Positional reads, so the handle is still at 0 for the stream that follows. */
async function hashHandle(fh: FileHandle, size: number): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 256 * 1024));
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

async function release(entity: Entity): Promise<void> {
  if (entity.body.kind === 'file') await entity.body.fh.close();
}

/** Validators, then Range, then the bytes (none for HEAD, 304 and 416). */
async function sendEntity(req: IncomingMessage, res: ServerResponse, entity: Entity, ctx: Context): Promise<void> {
  let handedOff = false;
  try {
    res.setHeader('ETag', entity.etag);
    res.setHeader('Cache-Control', entity.cacheControl);
    if (noneMatch(req.headers['if-none-match'], entity.etag)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('Content-Type', entity.type);
    res.setHeader('Accept-Ranges', 'bytes');
    if (entity.disposition !== undefined) res.setHeader('Content-Disposition', entity.disposition);
    // Range is defined for GET only (RFC 9110 §14.2); If-Range that does not hold means "send it all"
    const honour = req.method === 'GET' && ifRangeHolds(header(req, 'if-range'), entity.etag);
    const range = honour ? chooseRange(header(req, 'range'), entity.size) : { kind: 'full' as const };
    if (range.kind === 'unsatisfiable') {
      res.statusCode = 416;
      res.setHeader('Content-Range', `bytes */${entity.size}`);
      res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : entity.size - 1;
    res.statusCode = range.kind === 'partial' ? 206 : 200;
    if (range.kind === 'partial') res.setHeader('Content-Range', `bytes ${start}-${end}/${entity.size}`);
    res.setHeader('Content-Length', end - start + 1);
    if (req.method === 'HEAD' || end < start) {
      res.end();
      return;
    }
    if (entity.body.kind === 'bytes') {
      res.end(entity.body.bytes.subarray(start, end + 1));
      return;
    }
    streamFile(res, entity.body.fh, start, end, ctx);
    handedOff = true; // the stream owns the handle now
  } finally {
    if (!handedOff) await release(entity);
  }
}

function header(req: IncomingMessage, name: 'range' | 'if-range'): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The stream closes the handle when it ends or is destroyed (client gone, server closing). */
function streamFile(res: ServerResponse, fh: FileHandle, start: number, end: number, ctx: Context): void {
  const stream = fh.createReadStream({ start, end });
  stream.on('error', (e) => {
    ctx.log(`read error: ${e.message}`);
    res.destroy();
  });
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
