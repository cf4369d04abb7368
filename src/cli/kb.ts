import { Command } from 'commander';

import { ErrorCode, HeadwayError } from '../errors.js';
import { loadKnowledgeBase } from '../explain/kb.js';

import { printJson, type Io } from './output.js';

interface SearchOptions {
  json?: boolean;
  limit: string;
  dir?: string;
}

const MAX_LIMIT = 50;

function parseLimit(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new HeadwayError(
      ErrorCode.Usage,
      `--limit must be a whole number from 1 to ${MAX_LIMIT}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function searchCommand(io: Io): Command {
  return new Command('search')
    .description(
      'Full-text search of the runbook sections (docs/runbooks) the narrator cites: file, heading ' +
        'and an excerpt per hit, best first.',
    )
    .argument('<query...>', 'words to look for, e.g. "history backlog" or SQLSTATE 40001')
    .option('--json', 'print {query, hits: [{file, heading, score, excerpt}]} as JSON')
    .option('--limit <n>', `at most this many hits (1–${MAX_LIMIT})`, '5')
    .option('--dir <dir>', 'search the runbooks in this directory instead of the shipped ones')
    .action((words: string[], options: SearchOptions) => {
      const query = words.join(' ').trim();
      if (query.length === 0) {
        throw new HeadwayError(ErrorCode.Usage, 'kb search needs a query', {
          hint: 'for example: headway kb search history backlog',
        });
      }
      const limit = parseLimit(options.limit);
      const hits = loadKnowledgeBase(options.dir).search(query, limit);
      if (options.json === true) {
        printJson(io, { query, hits });
        return;
      }
      if (hits.length === 0) {
        io.out(`no runbook section matches ${JSON.stringify(query)}\n`);
        return;
      }
      io.out(
        hits
          .map((h) => `${h.file} → ${h.heading}  (score ${h.score.toFixed(1)})\n  ${h.excerpt}\n`)
          .join('\n'),
      );
    });
}

/** `headway kb …`: the runbook knowledge base. */
export function kbCommand(io: Io): Command {
  return new Command('kb')
    .description('The runbook knowledge base the narrator cites (docs/runbooks).')
    .addCommand(searchCommand(io));
}
