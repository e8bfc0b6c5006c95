/**
 * The editors' preview (serve --watch): after an edit in the work tree, the
 * quick rebuild shows the new text on the instrument's page and in the
 * search index, and leaves the other instruments' pages alone.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus, openSession } from '../../src/pipeline/corpus.js';
import { buildSite } from '../../src/pipeline/site.js';
import { runCli } from '../support/cli.js';
import { makeTempRepo } from '../support/repo.js';

const doc = (id: string, rank: string, body: string) => `---\ntitle: "${id}"\nidentifier: "${id}"\ncountry: "jp"\nrank: "${rank}"\n---\n\n${body}\n`;

describe('the quick rebuild of the editors preview', () => {
  it('shows an edit on its instrument page and in the search index, and rewrites nothing else', { timeout: 120_000 }, async () => {
    const repo = makeTempRepo();
    repo.commit({
      'regulations/jp/324CO0000000378.md': doc('324CO0000000378', 'cabinet_order', '**第一条**　この政令は、貨物の輸出について定める。'),
      'regulations/jp/403M50000400049.md': doc('403M50000400049', 'ministerial_ordinance', '**第一条**　この省令は、仕様を定める。'),
    });
    const r = await runCli(['build', '--json'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const site = path.join(repo.dir, 'output/site');
    const session = await openSession({ repo: repo.dir, corpus: 'regulations', cacheDir: path.join(repo.dir, '.git/regpress/cache') });
    try {
      const quick = async () => buildSite(session, await loadCorpus(session, { kind: 'worktree' }), { outDir: path.join(repo.dir, 'output'), head: undefined, publications: [], asOf: '2026-01-01', quick: true });
      await quick();
      // a preview started afresh (a new session): the pages on disk say which versions they show, so no instrument page is made again
      const pages = ['instruments/324CO0000000378.html', 'instruments/403M50000400049.html'];
      const inode = (rel: string) => statSync(path.join(site, rel)).ino;
      const before = pages.map(inode);
      const fresh = await openSession({ repo: repo.dir, corpus: 'regulations', cacheDir: path.join(repo.dir, '.git/regpress/cache') });
      try {
        const again = await buildSite(fresh, await loadCorpus(fresh, { kind: 'worktree' }), { outDir: path.join(repo.dir, 'output'), head: undefined, publications: [], asOf: '2026-01-01', quick: true });
        expect(again.instrumentsRendered).toBe(0);
      } finally {
        fresh.close();
      }
      expect(pages.map(inode)).toEqual(before);
      const other = statSync(path.join(site, 'instruments/403M50000400049.html')).mtimeMs;
      writeFileSync(path.join(repo.dir, 'regulations/jp/324CO0000000378.md'), doc('324CO0000000378', 'cabinet_order', '**第一条**　この政令は、貨物及び技術の輸出について定める。'));
      const done = await quick();
      expect(done.written).toBe(3); // the instrument page, the search index and the record of the versions the pages show
      expect(done.instrumentsRendered).toBe(1);
      expect(readFileSync(path.join(site, 'instruments/324CO0000000378.html'), 'utf8')).toContain('貨物及び技術の輸出について定める');
      expect(readFileSync(path.join(site, 'search-index.json'), 'utf8')).toContain('貨物及び技術の輸出');
      expect(statSync(path.join(site, 'instruments/403M50000400049.html')).mtimeMs).toBe(other);
    } finally {
      session.close();
    }
  });
});
