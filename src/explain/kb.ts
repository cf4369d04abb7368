import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import MiniSearch, { type SearchOptions } from 'minisearch';
import { parse as parseYaml } from 'yaml';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import type { KbHit, KnowledgeBase } from './explanation.js';

/**
 * The runbook knowledge base: every `##` section of `docs/runbooks/*.md`, indexed for full-text
 * search. Runbooks are small and ship with the package, so the index is built in memory once per
 * process and answers in microseconds; no embedding service, no network.
 */

/** The runbooks shipped with Headway, found relative to this module (not the working directory). */
export const DEFAULT_RUNBOOK_DIR = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));

/** How citations name the shipped runbooks: the repository path an operator can open. */
const DEFAULT_DISPLAY_DIR = 'docs/runbooks';

export interface KbSection {
  readonly id: number;
  /** Display path, e.g. `docs/runbooks/backlog-growth.md`. */
  readonly file: string;
  /** The runbook's title (front matter `title`, else its `#` heading, else the file name). */
  readonly title: string;
  /** The `##` heading, without the hashes. */
  readonly heading: string;
  /** The section's markdown, `###` subsections included. */
  readonly text: string;
  /** Title, summary, gates and signals from the front matter: what the whole runbook is about. */
  readonly keywords: string;
}

export interface LoadedKnowledgeBase extends KnowledgeBase {
  /** Absolute directory the runbooks were read from. */
  readonly dir: string;
  readonly files: readonly string[];
  readonly sections: readonly KbSection[];
  /** Time it took to read and index the runbooks, in milliseconds. */
  readonly load_ms: number;
}

// Words that match everywhere and rank nothing; dropped at index and query time alike.
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have if in into is it its no not of on or so ' +
    'than that the their then there these this to was were what when where which while who ' +
    'why will with'
  ).split(' '),
);

const processTerm = (term: string): string | null => {
  const t = term.toLowerCase();
  return t.length < 2 || STOP_WORDS.has(t) ? null : t;
};

const SEARCH_OPTIONS: SearchOptions = {
  boost: { heading: 3, keywords: 1.5 },
  // Prefix and typo tolerance only for longer words: "shard" should find "shards", but "p9"
  // should not match every number in the corpus.
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
  combineWith: 'OR',
};

const EXCERPT_MAX_CHARS = 240;

interface FrontMatter {
  readonly title?: unknown;
  readonly summary?: unknown;
  readonly gates?: unknown;
  readonly signals?: unknown;
}

/** Splits one runbook into its `##` sections. Headings inside code fences are text, not headings. */
export function parseRunbook(
  file: string,
  markdown: string,
): { title: string; sections: Omit<KbSection, 'id'>[] } {
  let body = markdown.replace(/\r\n?/g, '\n');
  let front: FrontMatter = {};
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(body);
  if (fm !== null) {
    const parsed: unknown = parseYaml(fm[1] ?? '');
    if (typeof parsed === 'object' && parsed !== null) front = parsed;
    body = body.slice(fm[0].length);
  }
  const h1 = /^# (.+)$/m.exec(body)?.[1]?.trim();
  const title =
    typeof front.title === 'string' ? front.title : (h1 ?? file.replace(/^.*\/|\.md$/g, ''));
  const list = (x: unknown): string =>
    Array.isArray(x) ? x.filter((s) => typeof s === 'string').join(' ') : '';
  const keywords = [
    title,
    typeof front.summary === 'string' ? front.summary : '',
    list(front.gates),
    list(front.signals),
  ]
    .filter((s) => s.length > 0)
    .join(' ');

  const sections: Omit<KbSection, 'id'>[] = [];
  let heading: string | null = null;
  let lines: string[] = [];
  let fenced = false;
  const flush = (): void => {
    if (heading !== null) {
      sections.push({ file, title, heading, text: lines.join('\n').trim(), keywords });
    }
  };
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^## (.+?)\s*#*\s*$/.exec(line);
    if (m !== null) {
      flush();
      heading = (m[1] ?? '').trim();
      lines = [];
    } else if (heading !== null) {
      lines.push(line);
    }
  }
  flush();
  return { title, sections };
}

/**
 * Plain text of a markdown fragment, for excerpts: links keep their text, code and bold lose their
 * markers. Underscores stay: they are part of signal names, not emphasis, in these runbooks.
 */
function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max - 1);
  const space = slice.lastIndexOf(' ');
  return `${(space > max / 2 ? slice.slice(0, space) : slice).trimEnd()}…`;
}

/** The paragraph or list item of `text` that contains the most matched terms. */
function excerptOf(text: string, terms: readonly string[]): string {
  const blocks = text
    .split(/\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)/)
    .map(plain)
    .filter((b) => b.length > 0);
  let best = blocks[0] ?? '';
  let bestHits = -1;
  for (const block of blocks) {
    const lower = block.toLowerCase();
    const hits = terms.filter((t) => lower.includes(t)).length;
    if (hits > bestHits) {
      best = block;
      bestHits = hits;
    }
  }
  return cut(best, EXCERPT_MAX_CHARS);
}

function build(dir: string, displayDir: string): LoadedKnowledgeBase {
  const started = performance.now();
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.md'))
      .sort();
  } catch (err) {
    throw new HeadwayError(
      ErrorCode.Internal,
      `cannot read the runbooks in ${dir}: ${errorMessage(err)}`,
      {
        hint: 'the runbooks ship in docs/runbooks; reinstall Headway if they are missing',
        cause: err,
      },
    );
  }
  const sections: KbSection[] = [];
  const files: string[] = [];
  for (const name of names) {
    const file = `${displayDir.replace(/\/+$/, '')}/${name}`;
    files.push(file);
    const parsed = parseRunbook(file, readFileSync(join(dir, name), 'utf8'));
    for (const s of parsed.sections) sections.push({ ...s, id: sections.length });
  }
  const index = new MiniSearch<KbSection>({
    fields: ['heading', 'text', 'keywords'],
    storeFields: [],
    processTerm,
    searchOptions: SEARCH_OPTIONS,
  });
  index.addAll(sections);
  const headings = new Set(sections.map((s) => `${s.file}\u0000${s.heading}`));

  return {
    dir,
    files,
    sections,
    load_ms: performance.now() - started,
    search(query: string, limit = 5): KbHit[] {
      if (query.trim().length === 0 || limit < 1) return [];
      // Sorted by score, then by position in the corpus, so equal scores come out the same way
      // on every run.
      return index
        .search(query)
        .sort((a, b) => b.score - a.score || (a.id as number) - (b.id as number))
        .slice(0, limit)
        .map((r) => {
          const s = sections[r.id as number]!;
          return {
            file: s.file,
            heading: s.heading,
            score: Math.round(r.score * 1000) / 1000,
            excerpt: excerptOf(s.text, r.terms),
          };
        });
    },
    has(file: string, heading: string): boolean {
      return headings.has(`${file}\u0000${heading}`);
    },
  };
}

const cache = new Map<string, LoadedKnowledgeBase>();

/**
 * The knowledge base of the runbooks in `dir` (default: the shipped `docs/runbooks`), built on the
 * first call for that directory and cached for the life of the process. Citations name files as
 * `<dir>/<name>.md` with `dir` as given (`docs/runbooks` for the default).
 */
export function loadKnowledgeBase(dir?: string): LoadedKnowledgeBase {
  const absolute = resolve(dir ?? DEFAULT_RUNBOOK_DIR);
  const display = dir ?? DEFAULT_DISPLAY_DIR;
  const key = `${absolute}\u0000${display}`;
  const found = cache.get(key);
  if (found !== undefined) return found;
  const kb = build(absolute, display);
  cache.set(key, kb);
  return kb;
}
