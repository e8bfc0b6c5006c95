/**
 * The site server over real HTTP on 127.0.0.1: `fetch` for what a browser
 * would send, and raw `node:http` requests for the paths `fetch` would
 * normalise before they left (`/../x`, `%2e%2e`, backslashes). The site is a
 * temporary folder with, beside it, a secret file that must never come out,
 * whatever the path, symlink or encoding.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseRange, parseRequestPath, RELOAD_TAG, SECURITY_HEADERS, serveSite, type ServeOptions, type SiteServer } from '../../src/publish/server.js';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-SITE';
const PAGE = '<!doctype html>\n<html lang="ja"><head><meta charset="utf-8"><title>規程</title><link rel="stylesheet" href="/style.css"></head>\n<body><p>第一条 この規程は…</p></body>\n</html>\n';
const CSS = 'body { font-family: serif; }\n';
const PDF_SIZE = 200 * 1024;

// ---------------------------------------------------------------- fixtures

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Site {
  base: string;
  root: string;
  pdf: Buffer;
}

/** base/secret.txt and base/outside/secret.txt outside; base/site is the root. */
function makeSite(): Site {
  const base = mkdtempSync(path.join(tmpdir(), 'regpress-serve-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'site');
  const put = (rel: string, data: string | Buffer): void => {
    mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
    writeFileSync(path.join(base, rel), data);
  };
  put('secret.txt', `${SECRET}\n`);
  put('outside/secret.txt', `${SECRET}\n`);
  put('site/index.html', PAGE);
  put('site/style.css', CSS);
  put('site/app.js', 'console.log(1);\n');
  put('site/data.json', '{"a":1}\n');
  put('site/pic.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  put('site/feed.atom', '<feed xmlns="http://www.w3.org/2005/Atom"/>\n');
  put('site/sitemap.xml', '<urlset/>\n');
  put('site/notes.txt', 'notes\n');
  put('site/img.png', randomBytes(64));
  put('site/font.woff2', randomBytes(64));
  put('site/favicon.ico', randomBytes(64));
  put('site/blob.bin', randomBytes(64));
  put('site/empty.txt', '');
  const pdf = randomBytes(PDF_SIZE);
  put('site/pdf/doc.pdf', pdf);
  put('site/pdf/規程.pdf', pdf);
  put('site/pdf/.x', SECRET);
  put('site/.env', `TOKEN=${SECRET}\n`);
  put('site/.git/config', `[secret] ${SECRET}\n`);
  put('site/instruments/index.html', PAGE.replace('第一条', '目次'));
  mkdirSync(path.join(root, 'empty'));
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'leak.txt'));
  symlinkSync('../secret.txt', path.join(root, 'leak-relative.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'leakdir'));
  symlinkSync('.env', path.join(root, 'alias.txt'));
  return { base, root, pdf };
}

async function start(root: string, extra: Omit<ServeOptions, 'root' | 'port'> = {}): Promise<SiteServer> {
  const server = await serveSite({ root, port: 0, ...extra });
  cleanups.push(() => server.close());
  return server;
}

/** Fails instead of hanging the file when `p` takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the target exactly as given: no URL normalisation on the way. */
function raw(server: SiteServer, target: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: target, method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Stream {
  res: IncomingMessage;
  text(): string;
  waitFor(needle: string): Promise<void>;
  ended: Promise<void>;
}

/** An EventSource stand-in: the stream read as it arrives. */
function openStream(server: SiteServer, target: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: target, headers: { Accept: 'text/event-stream' }, agent: false }, (res) => {
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        for (const w of waiters.splice(0)) w();
      });
      const ended = new Promise<void>((done) => res.on('close', done));
      const waitFor = (needle: string): Promise<void> =>
        new Promise((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`no ${JSON.stringify(needle)} in ${JSON.stringify(text)}`)), 3_000);
          const check = (): void => {
            if (text.includes(needle)) {
              clearTimeout(timer);
              ok();
            } else waiters.push(check);
          };
          check();
        });
      cleanups.push(() => void req.destroy());
      resolve({ res, text: () => text, waitFor, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

function expectSecurityHeaders(headers: Headers | IncomingHttpHeaders): void {
  const get = (name: string): string | undefined => (headers instanceof Headers ? (headers.get(name) ?? undefined) : (headers[name.toLowerCase()] as string | undefined));
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(get(name), name).toBe(value);
  expect(get('content-security-policy')).toBe(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('x-frame-options')).toBe('DENY');
  expect(get('referrer-policy')).toBe('no-referrer');
}

// ---------------------------------------------------------------- 1. only regular files under root

describe('what may be served', () => {
  it('answers 404 to every path that could lead outside the root, and never with the outside file', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const secretAbs = path.join(site.base, 'secret.txt');
    const hostile = [
      '/../secret.txt',
      '/../../../../../../etc/passwd',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/.%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..\\secret.txt',
      '/\\..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/..%5csecret.txt',
      '/index.html%00',
      '/%00/../secret.txt',
      `/${secretAbs}`,
      `/${encodeURIComponent(secretAbs)}`,
      `//${secretAbs.slice(1)}`,
      '/instruments/../../secret.txt',
      '/./../secret.txt',
      '/..%c0%afsecret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/..;/secret.txt',
      '/..',
      '/%2e%2e',
      '/leak.txt',
      '/leak-relative.txt',
      '/leakdir/secret.txt',
      '/leakdir/',
      'http://127.0.0.1/../secret.txt',
    ];
    expect(hostile.length).toBeGreaterThanOrEqual(10);
    for (const target of hostile) {
      const res = await raw(server, target);
      expect(res.status, target).toBe(404);
      expect(res.body.toString('latin1'), target).not.toContain(SECRET);
      expect(res.body.toString('utf8'), target).not.toMatch(/\bat .*:\d+:\d+|Error/);
    }
  });

  it('answers 404 to dotfiles, dot-folders and symlinks onto them', async () => {
    const site = makeSite();
    const server = await start(site.root);
    for (const target of ['/.env', '/.git/config', '/.git/', '/.git', '/pdf/.x', '/%2eenv', '/%2Egit/config', '/alias.txt']) {
      const res = await raw(server, target);
      expect(res.status, target).toBe(404);
      expect(res.body.toString('utf8'), target).not.toContain(SECRET);
    }
  });

  it('answers unknown paths with a small Japanese 404 page that does not echo the path', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const res = await raw(server, '/nope-%3Cscript%3Emarker%3C/script%3E.html?q=<b>marker</b>');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const body = res.body.toString('utf8');
    expect(body).toContain('lang="ja"');
    expect(body).not.toContain('marker');
    expect(body).not.toContain('nope');
    expect(body.length).toBeLessThan(1_000);
    expectSecurityHeaders(res.headers);
  });

  it('serves a folder’s index.html, redirects a folder without its slash, and 404s folders without an index', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const rootPage = await fetch(`${server.url}/`);
    expect(rootPage.status).toBe(200);
    expect(await rootPage.text()).toBe(PAGE);

    const redirect = await raw(server, '/instruments');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/instruments/');
    expectSecurityHeaders(redirect.headers);
    expect((await raw(server, '/instruments?x=1')).headers.location).toBe('/instruments/?x=1');

    const index = await fetch(`${server.url}/instruments/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('目次');
    expect((await fetch(`${server.url}/instruments/index.html`)).status).toBe(200);

    expect((await raw(server, '/empty')).status).toBe(404);
    expect((await raw(server, '/empty/')).status).toBe(404);
    expect((await raw(server, '/style.css/')).status).toBe(404);
    expect((await raw(server, '/style.css')).status).toBe(200);
  });

  it('answers methods other than GET and HEAD with 405 and Allow', async () => {
    const site = makeSite();
    const server = await start(site.root);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await raw(server, '/index.html', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expectSecurityHeaders(res.headers);
    }
  });

  it('refuses at the path level what could be read as anything but a plain name', () => {
    expect(parseRequestPath('/a/b.html?x=1')).toEqual({ segments: ['a', 'b.html'], trailingSlash: false, raw: '/a/b.html', query: '?x=1' });
    expect(parseRequestPath('/')).toEqual({ segments: [], trailingSlash: true, raw: '/', query: '' });
    expect(parseRequestPath('/%E8%A6%8F%E7%A8%8B.pdf')?.segments).toEqual(['規程.pdf']);
    for (const bad of ['', 'a', '//x', '/a//b', '/a/./b', '/%2e', '/a%2fb', '/a%5cb', '/a\\b', '/a%00', '/%25', '/%zz', '/.hidden', '/a/%0a']) {
      expect(parseRequestPath(bad), bad).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------- 2, 3. types and headers

describe('types and headers', () => {
  it('gives each extension its content type, nosniff and the security headers', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const expected: Record<string, string> = {
      '/index.html': 'text/html; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/pic.svg': 'image/svg+xml',
      '/pdf/doc.pdf': 'application/pdf',
      '/feed.atom': 'application/atom+xml; charset=utf-8',
      '/sitemap.xml': 'application/xml; charset=utf-8',
      '/notes.txt': 'text/plain; charset=utf-8',
      '/img.png': 'image/png',
      '/font.woff2': 'font/woff2',
      '/favicon.ico': 'image/x-icon',
      '/blob.bin': 'application/octet-stream',
    };
    for (const [target, type] of Object.entries(expected)) {
      const res = await fetch(`${server.url}${target}`);
      expect(res.status, target).toBe(200);
      expect(res.headers.get('content-type'), target).toBe(type);
      expectSecurityHeaders(res.headers);
      await res.arrayBuffer();
    }
  });

  it('marks PDFs inline with an ASCII-safe file name', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const plain = await fetch(`${server.url}/pdf/doc.pdf`);
    expect(plain.headers.get('content-disposition')).toBe('inline; filename="doc.pdf"');
    expect(Buffer.from(await plain.arrayBuffer()).equals(site.pdf)).toBe(true);
    const jp = await fetch(`${server.url}/pdf/規程.pdf`);
    expect(jp.status).toBe(200);
    expect(jp.headers.get('content-disposition')).toBe(`inline; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent('規程.pdf')}`);
    await jp.arrayBuffer();
    expect((await fetch(`${server.url}/style.css`)).headers.get('content-disposition')).toBeNull();
  });

  it('asks for revalidation of pages, JSON and feeds and lets the rest be cached briefly', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const cc = async (target: string): Promise<string | null> => (await raw(server, target, { method: 'HEAD' })).headers['cache-control'] ?? null;
    expect(await cc('/index.html')).toBe('no-cache');
    expect(await cc('/data.json')).toBe('no-cache');
    expect(await cc('/feed.atom')).toBe('no-cache');
    expect(await cc('/style.css')).toBe('public, max-age=300');
    expect(await cc('/pdf/doc.pdf')).toBe('public, max-age=300');
  });
});

// ---------------------------------------------------------------- 4. ETag

describe('ETag', () => {
  it('is the sha256 of the bytes, survives an identical rewrite and changes with the bytes', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const file = path.join(site.root, 'style.css');
    const etag = async (): Promise<string | null> => (await raw(server, '/style.css')).headers.etag ?? null;
    const first = await etag();
    expect(first).toBe(`"${sha(CSS)}"`);

    // an identical rebuild: same bytes, new mtime (in place, then renamed into place like output.ts does)
    writeFileSync(file, CSS);
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    expect(await etag()).toBe(first);
    writeFileSync(`${file}.tmp`, CSS);
    renameSync(`${file}.tmp`, file);
    utimesSync(file, later, later);
    expect(await etag()).toBe(first);

    // different bytes of the same length, mtime put back: still noticed
    const changed = CSS.replace('serif', 'sans!');
    expect(changed.length).toBe(CSS.length);
    writeFileSync(file, changed);
    utimesSync(file, later, later);
    const second = await etag();
    expect(second).toBe(`"${sha(changed)}"`);
    expect(second).not.toBe(first);
    expect((await raw(server, '/style.css')).body.toString()).toBe(changed);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const etag = (await raw(server, '/pdf/doc.pdf')).headers.etag ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    for (const inm of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const res = await raw(server, '/pdf/doc.pdf', { headers: { 'If-None-Match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expectSecurityHeaders(res.headers);
    }
    const miss = await raw(server, '/pdf/doc.pdf', { headers: { 'If-None-Match': '"nope"' } });
    expect(miss.status).toBe(200);
    expect(miss.body.length).toBe(PDF_SIZE);
  });
});

// ---------------------------------------------------------------- 5. ranges and HEAD

describe('ranges and HEAD', () => {
  it('serves single byte ranges with 206 and Content-Range', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, PDF_SIZE - 1],
      ['bytes=-500', PDF_SIZE - 500, PDF_SIZE - 1],
      ['bytes=100-9999999', 100, PDF_SIZE - 1],
      ['bytes=-9999999', 0, PDF_SIZE - 1],
      [`bytes=${PDF_SIZE - 1}-${PDF_SIZE - 1}`, PDF_SIZE - 1, PDF_SIZE - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await raw(server, '/pdf/doc.pdf', { headers: { Range: range } });
      expect(res.status, range).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${PDF_SIZE}`);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(Number(res.headers['content-length'])).toBe(end - start + 1);
      expect(res.body.equals(site.pdf.subarray(start, end + 1)), range).toBe(true);
      expectSecurityHeaders(res.headers);
    }
  });

  it('answers unsatisfiable ranges with 416 and bytes */size', async () => {
    const site = makeSite();
    const server = await start(site.root);
    for (const range of [`bytes=${PDF_SIZE}-`, 'bytes=999999-1000000', 'bytes=-0']) {
      const res = await raw(server, '/pdf/doc.pdf', { headers: { Range: range } });
      expect(res.status, range).toBe(416);
      expect(res.headers['content-range']).toBe(`bytes */${PDF_SIZE}`);
      expect(res.body.length).toBe(0);
    }
    const empty = await raw(server, '/empty.txt', { headers: { Range: 'bytes=0-' } });
    expect(empty.status).toBe(416);
    expect(empty.headers['content-range']).toBe('bytes */0');
  });

  it('sends the whole file for several ranges, malformed ranges and other units', async () => {
    const site = makeSite();
    const server = await start(site.root);
    for (const range of ['bytes=0-9,20-29', 'bytes=5-2', 'bytes=abc', 'items=0-1', 'bytes=']) {
      const res = await raw(server, '/pdf/doc.pdf', { headers: { Range: range } });
      expect(res.status, range).toBe(200);
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.body.equals(site.pdf)).toBe(true);
    }
    expect(chooseRange('bytes=0-9,20-29', 100)).toEqual({ kind: 'full' });
    expect(chooseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('honours If-Range only when it is the current ETag', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const etag = (await raw(server, '/pdf/doc.pdf', { method: 'HEAD' })).headers.etag ?? '';
    const match = await raw(server, '/pdf/doc.pdf', { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
    expect(match.status).toBe(206);
    expect(match.body.equals(site.pdf.subarray(0, 10))).toBe(true);
    for (const ifRange of ['"stale"', `W/${etag}`, new Date().toUTCString()]) {
      const res = await raw(server, '/pdf/doc.pdf', { headers: { Range: 'bytes=0-9', 'If-Range': ifRange } });
      expect(res.status, ifRange).toBe(200);
      expect(res.body.length).toBe(PDF_SIZE);
    }
  });

  it('answers HEAD with the GET headers, Content-Length and no body', async () => {
    const site = makeSite();
    const server = await start(site.root);
    const res = await raw(server, '/pdf/doc.pdf', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(PDF_SIZE));
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers.etag).toBe(`"${sha(site.pdf)}"`);
    expect(res.body.length).toBe(0);
    expectSecurityHeaders(res.headers);
    // Range is for GET only
    const ranged = await raw(server, '/pdf/doc.pdf', { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    expect(ranged.status).toBe(200);
    expect(ranged.headers['content-length']).toBe(String(PDF_SIZE));
    const fetched = await fetch(`${server.url}/index.html`, { method: 'HEAD' });
    expect(fetched.headers.get('content-length')).toBe(String(Buffer.byteLength(PAGE)));
    expect((await raw(server, '/missing', { method: 'HEAD' })).status).toBe(404);
  });
});

// ---------------------------------------------------------------- 6. live reload

describe('live reload', () => {
  it('injects the script tag before </body> and gives the page its own ETag', async () => {
    const site = makeSite();
    const server = await start(site.root, { liveReload: true });
    const res = await raw(server, '/index.html');
    const body = res.body.toString('utf8');
    expect(body).toBe(PAGE.replace('</body>', `${RELOAD_TAG}</body>`));
    expect(body).toContain('<script src="/__regpress/reload.js" defer></script></body>');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script: the CSP forbids it
    expect(res.headers['content-length']).toBe(String(res.body.length));
    const etag = res.headers.etag ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(etag).not.toBe(`"${sha(PAGE)}"`);
    expect((await raw(server, '/index.html')).headers.etag).toBe(etag);
    expect((await raw(server, '/index.html', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await raw(server, '/instruments/')).body.toString()).toContain(`${RELOAD_TAG}</body>`);
    // not in other types
    expect((await raw(server, '/style.css')).body.toString()).toBe(CSS);
  });

  it('serves the client script that listens for reload events', async () => {
    const site = makeSite();
    const server = await start(site.root, { liveReload: true });
    const res = await fetch(`${server.url}/__regpress/reload.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expectSecurityHeaders(res.headers);
    const js = await res.text();
    expect(js).toContain("new EventSource('/__regpress/events')");
    expect(js).toContain("addEventListener('reload'");
    expect(js).toContain('location.reload()');
  });

  it('streams a reload event to every connected page', async () => {
    const site = makeSite();
    const server = await start(site.root, { liveReload: true });
    const a = await openStream(server, '/__regpress/events');
    const b = await openStream(server, '/__regpress/events');
    expect(a.res.statusCode).toBe(200);
    expect(a.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expectSecurityHeaders(a.res.headers);
    await a.waitFor('\n\n');
    await b.waitFor('\n\n');
    expect(a.text()).not.toContain('event: reload');
    server.reload();
    await a.waitFor('event: reload\ndata: 1\n\n');
    await b.waitFor('event: reload\ndata: 1\n\n');
  });

  it('sends a heartbeat comment every 15 s', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const site = makeSite();
    const server = await serveSite({ root: site.root, port: 0, liveReload: true });
    try {
      const s = await openStream(server, '/__regpress/events');
      await s.waitFor('\n\n');
      expect(s.text()).not.toContain('heartbeat');
      vi.advanceTimersByTime(15_000);
      await s.waitFor(': heartbeat\n\n');
    } finally {
      await server.close();
    }
  });

  it('is off by default: no script, no stream, pages untouched', async () => {
    const site = makeSite();
    const server = await start(site.root);
    expect((await raw(server, '/__regpress/reload.js')).status).toBe(404);
    expect((await raw(server, '/__regpress/events')).status).toBe(404);
    const page = await raw(server, '/index.html');
    expect(page.body.toString()).toBe(PAGE);
    expect(page.headers.etag).toBe(`"${sha(PAGE)}"`);
    server.reload(); // harmless with no clients
  });
});

// ---------------------------------------------------------------- dynamic routes and 7. errors

describe('dynamic routes and errors', () => {
  it('hands listed prefixes and /__regpress/ to the caller, and 404s when it declines', async () => {
    const site = makeSite();
    const seen: string[] = [];
    const server = await start(site.root, {
      liveReload: true,
      dynamicPrefixes: ['/compare'],
      dynamic: async (url) => {
        seen.push(url.pathname + url.search);
        if (url.pathname === '/compare') return { status: 200, type: 'text/html; charset=utf-8', body: `<html lang="ja"><body>${url.searchParams.get('from')}→${url.searchParams.get('to')}</body></html>` };
        if (url.pathname === '/__regpress/status') return { status: 200, type: 'application/json; charset=utf-8', body: new TextEncoder().encode('{"ok":true}') };
        return undefined;
      },
    });
    const compare = await fetch(`${server.url}/compare?from=3&to=4`);
    expect(compare.status).toBe(200);
    expectSecurityHeaders(compare.headers);
    expect(await compare.text()).toBe(`<html lang="ja"><body>3→4${RELOAD_TAG}</body></html>`);
    const status = await fetch(`${server.url}/__regpress/status`);
    expect(await status.json()).toEqual({ ok: true });
    expect((await raw(server, '/compare/other')).status).toBe(404);
    expect((await raw(server, '/compared')).status).toBe(404);
    expect((await raw(server, '/compare/../.env')).status).toBe(404);
    expect((await raw(server, '/compare/%2e%2e/secret.txt')).status).toBe(404);
    expect(seen).toEqual(['/compare?from=3&to=4', '/__regpress/status', '/compare/other']);
  });

  it('answers a handler exception with a plain 500, and logs it', async () => {
    const site = makeSite();
    const lines: string[] = [];
    const server = await start(site.root, {
      dynamicPrefixes: ['/boom'],
      dynamic: async () => {
        throw new Error('kaboom in /secret/place.ts');
      },
      log: (line) => lines.push(line),
    });
    const res = await raw(server, '/boom');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const body = res.body.toString();
    expect(body).toBe('Internal Server Error\n');
    expect(body).not.toContain('kaboom');
    expectSecurityHeaders(res.headers);
    expect(lines.some((l) => l.includes('kaboom'))).toBe(true);
    // still serving
    expect((await raw(server, '/style.css')).status).toBe(200);
  });
});

// ---------------------------------------------------------------- 8. close

describe('close', () => {
  it('resolves promptly with an event stream and a keep-alive connection still open', async () => {
    const site = makeSite();
    const server = await serveSite({ root: site.root, port: 0, liveReload: true });
    const stream = await openStream(server, '/__regpress/events');
    await stream.waitFor('\n\n');
    const keepAlive = await fetch(`${server.url}/style.css`);
    expect(keepAlive.status).toBe(200);
    await keepAlive.text();
    const started = Date.now();
    await within(server.close(), 2_000, 'close()');
    expect(Date.now() - started).toBeLessThan(2_000);
    await stream.ended;
    await server.close(); // twice is fine
    await expect(fetch(`${server.url}/style.css`)).rejects.toThrow();
  });

  it('resolves promptly with a request still half-sent', async () => {
    const site = makeSite();
    const server = await serveSite({ root: site.root, port: 0 });
    const socket = connect(server.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    await once(socket, 'connect');
    socket.write('GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closed = once(socket, 'close');
    const started = Date.now();
    await within(server.close(), 2_000, 'close()');
    expect(Date.now() - started).toBeLessThan(2_000);
    await closed;
  });

  it('refuses to start on a root that is not a folder', async () => {
    const site = makeSite();
    await expect(serveSite({ root: path.join(site.root, 'missing'), port: 0 })).rejects.toThrow(/cannot serve/);
    await expect(serveSite({ root: path.join(site.root, 'style.css'), port: 0 })).rejects.toThrow(/not a folder/);
    expect(readFileSync(path.join(site.root, 'style.css'), 'utf8')).toBe(CSS);
  });
});
