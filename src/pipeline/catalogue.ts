/**
 * The publications catalogue of a corpus at a revision, checked against the
 * corpus: the rows it names exist in 輸出令別表第一, and every row the
 * ordinance specifies has a Parameter Sheet.
 */
import { readCorpusFile } from '../load/corpus.js';
import { decodeSource } from '../load/decode.js';
import type { Catalogue } from '../model/publication.js';
import type { Diagnostic } from '../model/types.js';
import type { Corpus, Session } from './corpus.js';

export const CATALOGUE_FILE = 'publications.yaml';
/** The appended table the publications are built on: 輸出令別表第一. */
export const TABLE_ID = '324CO0000000378/appx1';

export async function loadCatalogue(session: Session, corpus: Corpus): Promise<{ catalogue: Catalogue | undefined; diagnostics: Diagnostic[] }> {
  const bytes = await readCorpusFile(session.repo, session.ctx.corpus, corpus.revision, CATALOGUE_FILE);
  if (!bytes) return { catalogue: undefined, diagnostics: [] };
  const file = [session.ctx.corpus.replace(/\/+$/, ''), CATALOGUE_FILE].filter((s) => s !== '' && s !== '.').join('/');
  const decoded = decodeSource(file, bytes);
  if (decoded.text === undefined) return { catalogue: undefined, diagnostics: decoded.diagnostics };
  // yaml is loaded only when there is a catalogue to read: every command starts faster
  const { readCatalogue } = await import('../load/catalogue.js');
  const read = readCatalogue(file, decoded.text);
  const diagnostics = [...decoded.diagnostics, ...read.diagnostics];
  const cat = read.catalogue;
  const table = corpus.index.provisions.get(TABLE_ID);
  if (cat && table) {
    const rows = new Set(table.children.map((r) => r.address.path[r.address.path.length - 1]?.num ?? ''));
    for (const p of cat.publications) {
      for (const r of p.rows) {
        if (!rows.has(r)) diagnostics.push({ file, line: p.line, column: 1, severity: 'error', rule: 'catalogue-unknown-row', message: `${p.id} covers row ${r}, which 輸出令別表第一 does not have` });
      }
    }
    // rows whose goods the ordinance specifies (their text delegates to 経済産業省令) need a Parameter Sheet
    const covered = new Set(cat.publications.filter((p) => p.kind === 'parameter-sheet').flatMap((p) => p.rows));
    for (const r of table.children) {
      const num = r.address.path[r.address.path.length - 1]?.num ?? '';
      const delegates = [r, ...r.children].some((x) => x.text.includes('経済産業省令で定める'));
      if (delegates && !r.deleted && !covered.has(num)) {
        diagnostics.push({ file, line: 1, column: 1, severity: 'warning', rule: 'catalogue-row-not-covered', message: `row ${r.label} of 輸出令別表第一 is specified by ordinance but has no Parameter Sheet` });
      }
    }
  }
  return { catalogue: cat, diagnostics };
}
