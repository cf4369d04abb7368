import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';

import { Command } from 'commander';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { readSignal } from '../health/evaluate.js';
import { FIELD, type SignalField } from '../model/signal-fields.js';
import { copilotApiUrl, localStackConfig } from '../stack/stack-config.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
import { formatTable, printJson, type Io } from './output.js';

interface StatusOptions extends CommonOptions {
  json?: boolean;
  watch?: boolean;
  interval?: number;
  api?: string;
  cluster?: string;
}

interface StatusBody {
  health_state: string;
  timestamp: string | null;
  scale_band?: string | null;
  reasons?: string[];
  stale?: boolean;
  primary_signals: Record<string, Record<string, number | null>>;
  recommended_actions: { description: string; target_service: string; confidence: number }[];
  log_patterns: { pattern: string; service: string; count: number }[];
  issue_count: number;
}

interface Snapshot {
  status: StatusBody;
  summary: { summary: string; timestamp: string | null; health_state: string };
  issues: { issues: { severity: string; title: string; description: string }[] };
}

const COLOURS: Readonly<Record<string, string>> = {
  happy: '\u001b[32m',
  stressed: '\u001b[33m',
  critical: '\u001b[31m',
  unknown: '\u001b[90m',
};
const RESET = '\u001b[0m';

/** The signals a person on call looks at first, with the label and unit suffix the table shows. */
const KEY_SIGNALS: readonly (readonly [label: string, field: SignalField, suffix: string])[] = [
  ['state transitions', FIELD.throughput, '/s'],
  ['completion rate', FIELD.completionRate, ''],
  ['history backlog age', FIELD.historyBacklog, ' s'],
  ['workflow task backlog age', FIELD.matchingWorkflowBacklog, ' s'],
  ['persistence p99', FIELD.persistenceP99, ' ms'],
  ['frontend p99', FIELD.frontendP99, ' ms'],
];

/**
 * GET over node:http(s) rather than fetch: fetch's first call loads Node's bundled undici, a
 * tenth of a second of CPU that `headway status` would pay at every start.
 */
function get(url: URL, token: string | undefined): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function fetchJson<T>(base: string, path: string, token: string | undefined): Promise<T> {
  let response: { status: number; body: string };
  try {
    response = await get(new URL(`${base}${path}`), token);
  } catch (err) {
    throw new HeadwayError(
      ErrorCode.CopilotUnreachable,
      `the copilot API at ${base} does not answer (${errorMessage(err)})`,
      { hint: 'start it with `headway up` (local) or `headway copilot api`; or pass --api URL' },
    );
  }
  if (response.status === 401) {
    throw new HeadwayError(
      ErrorCode.CopilotUnreachable,
      `the copilot API at ${base} refused the token`,
      {
        hint: 'set HEADWAY_API_TOKEN to the token the API was started with',
      },
    );
  }
  if (response.status === 404) {
    let body: { error?: string; message?: string } = {};
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      // Not the API's JSON: reported below as an HTTP error.
    }
    if (body.error === 'unknown_cluster') {
      throw new HeadwayError(ErrorCode.Usage, body.message ?? 'unknown cluster', {
        hint: 'pass --cluster with a name from copilot.clusters, or leave it out for the default',
      });
    }
  }
  // 503 still carries a body (the store is down: state unknown), which is worth showing.
  const ok = response.status >= 200 && response.status < 300;
  if (!ok && response.status !== 503) {
    throw new HeadwayError(
      ErrorCode.CopilotUnreachable,
      `the copilot API answered ${String(response.status)} for ${path}`,
    );
  }
  return JSON.parse(response.body) as T;
}

async function readStatus(
  base: string,
  token: string | undefined,
  cluster: string | undefined,
): Promise<Snapshot> {
  const of = cluster === undefined ? '' : `cluster=${encodeURIComponent(cluster)}`;
  const [status, summary, issues] = await Promise.all([
    fetchJson<StatusBody>(base, `/status${of === '' ? '' : `?${of}`}`, token),
    fetchJson<Snapshot['summary']>(base, `/status/summary${of === '' ? '' : `?${of}`}`, token),
    fetchJson<Snapshot['issues']>(
      base,
      `/status/issues?limit=5${of === '' ? '' : `&${of}`}`,
      token,
    ),
  ]);
  return {
    status: {
      ...status,
      primary_signals: status.primary_signals ?? {},
      recommended_actions: status.recommended_actions ?? [],
      log_patterns: status.log_patterns ?? [],
    },
    summary,
    issues: { issues: issues.issues ?? [] },
  };
}

const num = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2);

export function renderStatus(
  s: Snapshot,
  colour: boolean,
  now = new Date(),
  cluster?: string,
): string {
  const state = s.status.health_state;
  const paint = (text: string): string =>
    colour ? `${COLOURS[state] ?? ''}${text}${RESET}` : text;
  const age =
    s.status.timestamp === null
      ? 'never observed'
      : `observed ${String(Math.max(0, Math.round((now.getTime() - Date.parse(s.status.timestamp)) / 1000)))} s ago`;
  const lines = [
    `${paint(`● ${state.toUpperCase()}`)}  ${cluster === undefined ? '' : `cluster ${cluster}, `}${s.status.scale_band == null ? '' : `${s.status.scale_band} band, `}${age}`,
    '',
    s.summary.summary,
  ];
  if (state === 'unknown' && (s.status.reasons ?? []).length > 0) {
    lines.push('', 'Why unknown:', ...(s.status.reasons ?? []).slice(0, 5).map((r) => `  - ${r}`));
  }
  if (s.issues.issues.length > 0) {
    lines.push('', 'Issues:');
    for (const i of s.issues.issues)
      lines.push(`  ${i.severity.padEnd(8)} ${i.title}: ${i.description}`);
  }
  if (s.status.recommended_actions.length > 0) {
    lines.push('', 'Suggested actions:');
    for (const a of s.status.recommended_actions) {
      lines.push(`  [${a.target_service}] ${a.description} (confidence ${num(a.confidence)})`);
    }
  }
  lines.push(
    '',
    formatTable(
      ['signal', 'value'],
      KEY_SIGNALS.map(([label, field, suffix]) => {
        const v = readSignal(s.status, field);
        return [label, v === null ? '—' : `${num(v)}${suffix}`];
      }),
    ).trimEnd(),
  );
  const patterns = s.status.log_patterns.filter((p) => p.count > 0).slice(0, 5);
  if (patterns.length > 0) {
    lines.push('', 'Log patterns (last 5 min):');
    for (const p of patterns)
      lines.push(`  ${String(p.count).padStart(5)}  ${p.service}: ${p.pattern}`);
  }
  return `${lines.join('\n')}\n`;
}

export function statusCommand(io: Io): Command {
  return withCommonOptions(new Command('status'))
    .description(
      'Print the copilot’s current verdict: state, band, summary, top issues, suggested actions ' +
        'and key signals, read from its JSON API.',
    )
    .option('--json', 'print /status, /status/summary and /status/issues as one JSON object')
    .option('-w, --watch', 'refresh until Ctrl-C')
    .option('--interval <seconds>', 'with --watch: seconds between refreshes (default 5)', Number)
    .option(
      '--api <url>',
      'the copilot API (default: the local stack’s, as `headway up` started it; else http://<copilot.api.host>:<copilot.api.port>)',
    )
    .option(
      '--cluster <name>',
      'a cluster of copilot.clusters (default: the first, or the only one)',
    )
    .addHelpText('after', '\nThe token, if the API has one, is read from HEADWAY_API_TOKEN.')
    .action(async (options: StatusOptions) => {
      const { config } = loadCommandConfig(options);
      // Without --api: the local stack's copilot as it was started (ports and token given to
      // `up` included), as `ps` probes it; this command's own config when no stack runs.
      const local = options.api === undefined ? localStackConfig(config) : config;
      const base = (options.api ?? copilotApiUrl(local)).replace(/\/+$/, '');
      const token = config.copilot.api.token ?? local.copilot.api.token;
      const colour =
        process.stdout.isTTY && process.env.NO_COLOR === undefined && options.json !== true;
      const interval = options.interval ?? 5;
      if (!(interval >= 1)) {
        throw new HeadwayError(ErrorCode.Usage, '--interval must be at least 1 second');
      }
      for (;;) {
        const snapshot = await readStatus(base, token, options.cluster);
        if (options.json === true) printJson(io, snapshot);
        else
          io.out(
            `${options.watch === true && colour ? '\u001b[2J\u001b[H' : ''}${renderStatus(snapshot, colour, new Date(), options.cluster)}`,
          );
        if (options.watch !== true) return;
        await delay(interval * 1000);
      }
    });
}
