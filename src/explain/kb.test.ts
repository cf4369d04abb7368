import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { kbCommand } from '../cli/kb.js';
import { ErrorCode, HeadwayError } from '../errors.js';

import { DEFAULT_RUNBOOK_DIR, loadKnowledgeBase, parseRunbook } from './kb.js';
import { narrate } from './narrator/index.js';

const RUNBOOKS = [
  'backlog-growth.md',
  'no-data.md',
  'occ-conflicts.md',
  'persistence-latency.md',
  'poller-misconfiguration.md',
  'retention-storms.md',
  'shard-churn.md',
  'sticky-cache.md',
  'worker-slot-exhaustion.md',
];

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('the runbook knowledge base', () => {
  const kb = loadKnowledgeBase();

  it('indexes every runbook, each with a title and several ## sections', () => {
    // A log line, not an assertion: load time depends on the machine.
    console.log(
      `knowledge base: ${kb.files.length} runbooks, ${kb.sections.length} sections, indexed in ${kb.load_ms.toFixed(1)} ms`,
    );
    expect(readdirSync(DEFAULT_RUNBOOK_DIR).sort()).toEqual(RUNBOOKS);
    expect(kb.files).toEqual(RUNBOOKS.map((f) => `docs/runbooks/${f}`));
    for (const file of kb.files) {
      const sections = kb.sections.filter((s) => s.file === file);
      expect(sections.length, file).toBeGreaterThanOrEqual(4);
      expect(sections[0]!.title.length, file).toBeGreaterThan(0);
      for (const s of sections) {
        expect(s.text.length, `${file} → ${s.heading}`).toBeGreaterThan(40);
        expect(kb.has(file, s.heading)).toBe(true);
      }
    }
  });

  it('is built once per process', () => {
    expect(loadKnowledgeBase()).toBe(kb);
  });

  it('finds backlog-growth.md for "backlog"', () => {
    const hits = kb.search('backlog', 3);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.file).toBe('docs/runbooks/backlog-growth.md');
  });

  it.each([
    ['SQLSTATE 40001', 'occ-conflicts.md'],
    ['prometheus did not answer', 'no-data.md'],
    ['sticky cache evictions', 'sticky-cache.md'],
    ['no poller task queue', 'poller-misconfiguration.md'],
    ['shards moving restarts', 'shard-churn.md'],
    ['retention deletes', 'retention-storms.md'],
    ['connection pool', 'persistence-latency.md'],
    ['worker slots exhausted', 'worker-slot-exhaustion.md'],
  ])('finds the runbook for "%s"', (query, file) => {
    expect(kb.search(query, 1)[0]?.file).toBe(`docs/runbooks/${file}`);
  });

  it('returns bounded plain-text excerpts, at most `limit` hits, best first', () => {
    const hits = kb.search('persistence latency history backlog', 4);
    expect(hits).toHaveLength(4);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    for (const h of hits) {
      expect(h.excerpt.length).toBeLessThanOrEqual(240);
      expect(h.excerpt).not.toMatch(/`|\*\*|\]\(/);
      expect(kb.has(h.file, h.heading)).toBe(true);
    }
    expect(kb.search('   ', 5)).toEqual([]);
    expect(kb.search('backlog', 0)).toEqual([]);
    expect(kb.search('zzzqqqxxx', 5)).toEqual([]);
  });

  it('gives the narrator citations that point to headings that exist', () => {
    const dir = new URL('../../test/fixtures/evaluations/', import.meta.url);
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    expect(names.length).toBe(8);
    let cited = 0;
    for (const name of names) {
      const f = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as {
        input: Parameters<typeof narrate>[0];
      };
      const x = narrate({ ...f.input, kb });
      for (const c of x.explanation.citations) {
        expect(kb.has(c.file, c.heading), `${name}: ${c.file} → ${c.heading}`).toBe(true);
        const raw = readFileSync(new URL(`../../${c.file}`, import.meta.url), 'utf8');
        expect(raw.split('\n')).toContain(`## ${c.heading}`);
        cited += 1;
      }
    }
    expect(cited).toBeGreaterThanOrEqual(6);
  });
});

describe('parseRunbook', () => {
  it('splits ## sections, keeps ### inside them, ignores headings in code fences', () => {
    const md = [
      '---',
      'title: Front title',
      'gates: [stressed.shard_churn]',
      '---',
      '# Heading title',
      'Intro.',
      '## First',
      'one',
      '### Sub',
      'two',
      '```',
      '## not a heading',
      '```',
      '## Second ##',
      'three',
    ].join('\n');
    const { title, sections } = parseRunbook('x/r.md', md);
    expect(title).toBe('Front title');
    expect(sections.map((s) => s.heading)).toEqual(['First', 'Second']);
    expect(sections[0]!.text).toContain('### Sub');
    expect(sections[0]!.text).toContain('## not a heading');
    expect(sections[0]!.keywords).toContain('stressed.shard_churn');
  });

  it('falls back to the # heading, then the file name, for the title', () => {
    expect(parseRunbook('d/a.md', '# Plain\n## S\ntext').title).toBe('Plain');
    expect(parseRunbook('d/b.md', '## S\ntext').title).toBe('b');
  });
});

describe('a custom runbook directory', () => {
  it('names its files as the directory was given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headway-kb-'));
    temp.push(dir);
    writeFileSync(join(dir, 'custom.md'), '# Custom\n## Symptom: widgets stall\nWidgets stall.\n');
    const kb = loadKnowledgeBase(dir);
    expect(kb.search('widgets', 5)).toEqual([
      expect.objectContaining({ file: `${dir}/custom.md`, heading: 'Symptom: widgets stall' }),
    ]);
  });

  it('reports a missing directory as a Headway error', () => {
    expect(() => loadKnowledgeBase(join(tmpdir(), 'headway-kb-missing-dir'))).toThrow(HeadwayError);
  });
});

describe('headway kb search', () => {
  async function run(args: string[]): Promise<{ out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    const command = kbCommand(io);
    command.exitOverride();
    for (const c of command.commands) c.exitOverride();
    await command.parseAsync(args, { from: 'user' });
    return { out, err };
  }

  it('prints file, heading and excerpt per hit', async () => {
    const { out } = await run(['search', 'history', 'backlog', '--limit', '2']);
    const first = out.split('\n')[0]!;
    expect(first).toMatch(/^docs\/runbooks\/backlog-growth\.md → .+ \(score \d+\.\d\)$/);
    expect(out.match(/^docs\/runbooks\//gm)).toHaveLength(2);
    expect(out.split('\n')[1]).toMatch(/^ {2}\S/);
  });

  it('prints JSON with --json', async () => {
    const { out } = await run(['search', 'sticky cache', '--json', '--limit', '1']);
    const parsed = JSON.parse(out) as { query: string; hits: { file: string }[] };
    expect(parsed.query).toBe('sticky cache');
    expect(parsed.hits).toHaveLength(1);
    expect(parsed.hits[0]!.file).toBe('docs/runbooks/sticky-cache.md');
  });

  it('says so when nothing matches', async () => {
    const { out } = await run(['search', 'zzzqqqxxx']);
    expect(out).toBe('no runbook section matches "zzzqqqxxx"\n');
  });

  it.each([
    [['search', '  '], /needs a query/],
    [['search', 'backlog', '--limit', '0'], /--limit must be a whole number/],
    [['search', 'backlog', '--limit', 'many'], /--limit must be a whole number/],
  ])('refuses %j as a usage error', async (args, message) => {
    const err = await run(args).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.Usage);
    expect((err as HeadwayError).message).toMatch(message);
  });
});
