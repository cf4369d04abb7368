import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { findFreePorts } from '../../src/os/ports.js';
import { eventually, runCli, startCli, userEnv } from '../helpers/cli.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const node = process.execPath;
const dir = makeTempDir('headway-workflow-cli-');
const flagFile = join(dir.path, 'green');
const pidFile = join(dir.path, 'hang.pid');
const targetsDir = join(dir.path, 'state', 'prometheus', 'targets');

/** headway.yml for the worker and the CLI: the step commands workLoop may run. */
const configFile = join(dir.path, 'headway.yml');
writeFileSync(
  configFile,
  stringify({
    worker: {
      steps: {
        'until-flag': {
          command: [
            node,
            '-e',
            `process.exit(require('fs').existsSync(${JSON.stringify(flagFile)}) ? 0 : 1)`,
          ],
        },
        hang: {
          command: [
            node,
            '-e',
            `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
          ],
          timeout_s: 300,
        },
      },
    },
    temporal: { task_queue: 'cli-samples' },
  }),
);

let server: DevServer;
let env: NodeJS.ProcessEnv;
let worker: ReturnType<typeof startCli>;

/** The environment of a user who points Headway at the test server. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return userEnv({
    HEADWAY_CONFIG: configFile,
    HEADWAY_STATE_DIR: join(dir.path, 'state'),
    TEMPORAL_ADDRESS: server.address,
    ...extra,
  });
}

function headway(args: string[], extra?: NodeJS.ProcessEnv) {
  return runCli(args, extra === undefined ? env : cliEnv(extra));
}

async function startWorker(args: string[]): Promise<ReturnType<typeof startCli>> {
  const w = startCli(['worker', ...args], env);
  await eventually(
    'the worker to start polling',
    () => {
      if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.output().stderr}`);
      return w.output().stdout.includes('Worker polling') ? true : undefined;
    },
    120_000,
  );
  return w;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  server = await startDevServer();
  env = cliEnv();
  worker = await startWorker(['--shutdown-grace', '2']);
});

afterAll(async () => {
  for (const w of [worker]) {
    if (w !== undefined && w.child.exitCode === null) {
      w.child.kill('SIGKILL');
      await w.closed;
    }
  }
  await server?.stop();
  dir.remove();
});

describe('headway worker', () => {
  it('says what it polls, registers its metrics with Prometheus, and serves SDK metrics', async () => {
    expect(worker.output().stdout).toContain(
      `Worker polling task queue cli-samples on ${server.address} (namespace default, no TLS)`,
    );
    expect(worker.output().stdout).toMatch(/steps: +fail, hang, pass, until-flag/);
    const targetFile = join(targetsDir, `worker-${worker.child.pid}.json`);
    const [target] = JSON.parse(readFileSync(targetFile, 'utf8')) as {
      targets: string[];
      labels: Record<string, string>;
    }[];
    expect(target?.labels).toMatchObject({ job: 'headway-worker', task_queue: 'cli-samples' });
    const address = target!.targets[0]!;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(worker.output().stdout).toContain(`http://${address}/metrics`);
    const metrics = await eventually('SDK metrics', async () => {
      const text = await (await fetch(`http://${address}/metrics`)).text();
      return text.includes('temporal_num_pollers') ? text : undefined;
    });
    expect(metrics).toContain('task_queue="cli-samples"');
    // SDK logs go to stderr as pino JSON lines.
    expect(worker.output().stderr).toContain('"component":"worker"');
  });
});

/** `workflow start` of a workLoop that passes at once, with the given id. */
const passingLoop = (id: string, ...more: string[]): string[] => [
  ...['workflow', 'start', 'workLoop', '{"step":"pass"}', '--id', id],
  ...more,
];

/** `workflow status ID --follow`, polling every 200 ms. */
const followArgs = (id: string): string[] => [
  'workflow',
  'status',
  id,
  '--follow',
  '--interval',
  '200',
];

describe('headway workflow: start → status --follow → signal → query → cancel', () => {
  it('controls a running workLoop end to end', async () => {
    const started = await headway([
      'workflow',
      'start',
      'workLoop',
      '{"step":"until-flag","maxIterations":1000,"iterationDelayMs":200}',
      '--id',
      'cli-loop',
      '--json',
    ]);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({
      workflow_id: 'cli-loop',
      type: 'workLoop',
      task_queue: 'cli-samples',
      namespace: 'default',
    });

    const follow = startCli(
      ['workflow', 'status', 'cli-loop', '--follow', '--interval', '200'],
      env,
    );
    await eventually('status --follow to print progress', () =>
      /RUNNING +running: iteration \d+\/1000, last failed \(exit 1\)/.test(follow.output().stdout)
        ? true
        : undefined,
    );

    const paused = await headway(['workflow', 'signal', 'cli-loop', 'pause']);
    expect(paused.stdout).toBe('Sent signal pause to workflow cli-loop (namespace default).\n');
    await eventually('currentState to be paused', async () => {
      const q = await headway(['workflow', 'query', 'cli-loop', 'currentState']);
      expect(q.code, q.stderr).toBe(0);
      return q.stdout === 'paused\n' ? true : undefined;
    });
    await eventually('status --follow to show the pause', () =>
      /RUNNING +paused: iteration/.test(follow.output().stdout) ? true : undefined,
    );

    // A payload that is not JSON is sent as text; a JSON string is sent as that string.
    expect(
      (await headway(['workflow', 'signal', 'cli-loop', 'injectInstruction', 'try harder'])).code,
    ).toBe(0);
    expect((await headway(['workflow', 'signal', 'cli-loop', 'escalate', '"stuck"'])).code).toBe(0);
    const progress = await headway(['workflow', 'query', 'cli-loop', 'progress', '--json']);
    const answer = JSON.parse(progress.stdout) as { state: string; total: number; message: string };
    expect(answer).toMatchObject({ state: 'paused', total: 1000 });
    expect(answer.message).toContain('escalation 1');

    expect((await headway(['workflow', 'signal', 'cli-loop', 'resume'])).code).toBe(0);
    await eventually('currentState to be running again', async () => {
      const q = await headway(['workflow', 'query', 'cli-loop', 'currentState']);
      return q.stdout === 'running\n' ? true : undefined;
    });

    const status = await headway(['workflow', 'status', 'cli-loop']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^status +RUNNING$/m);
    expect(status.stdout).toMatch(/^task queue +cli-samples$/m);
    expect(status.stdout).toMatch(/^progress +running: iteration \d+\/1000/m);

    const listed = await eventually('list to show the running workflow', async () => {
      const l = await headway(['workflow', 'list', '--status', 'running', '--json']);
      const rows = JSON.parse(l.stdout) as { workflow_id: string; status: string }[];
      return rows.find((r) => r.workflow_id === 'cli-loop');
    });
    expect(listed).toMatchObject({ status: 'RUNNING' });

    const cancelled = await headway(['workflow', 'cancel', 'cli-loop']);
    expect(cancelled.stdout).toBe(
      'Requested cancellation of workflow cli-loop (namespace default).\n',
    );
    expect(await follow.closed).toBe(1);
    expect(follow.output().stdout).toMatch(/CANCELLED +CancelledFailure: Workflow canceled/);

    const closed = await headway(['workflow', 'status', 'cli-loop', '--json']);
    expect(JSON.parse(closed.stdout)).toMatchObject({
      workflow_id: 'cli-loop',
      status: 'CANCELLED',
      failure: { type: 'CancelledFailure' },
    });
    expect((await headway(['workflow', 'query', 'cli-loop', 'currentState'])).stdout).toBe(
      'cancelled\n',
    );
  });

  it('status --follow exits 0 with the result when the workflow completes', async () => {
    const started = await headway(passingLoop('cli-pass'));
    expect(started.stdout).toContain('Started workLoop workflow cli-pass');
    const follow = await headway(followArgs('cli-pass'));
    expect(follow.code, follow.stderr).toBe(0);
    expect(follow.stdout).toMatch(/COMPLETED +result: \{"outcome":"passed","iterations":1/);

    const json = await headway(['workflow', 'status', 'cli-pass', '--follow', '--json']);
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ status: 'COMPLETED', result: { outcome: 'passed' } });

    // No `activity` in the input: the start command filled in headway.yml's defaults.
    const history = await headway(['workflow', 'query', 'cli-pass', 'lastResult', '--json']);
    expect(JSON.parse(history.stdout)).toMatchObject({ step: 'pass', passed: true });
  });

  it('refuses a bad sample input before starting; sent anyway, the workflow fails on it', async () => {
    const start = ['workflow', 'start', 'fanOutFanIn', '{"values":[]}', '--id', 'cli-bad'];
    const refused = await headway(start);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[USAGE]: invalid input for the fanOutFanIn sample');
    expect(refused.stderr).toMatch(/^ {2}values: /m);
    const none = await headway(['workflow', 'status', 'cli-bad']);
    expect(none.stderr).toContain('error[WORKFLOW_NOT_FOUND]');
    // --no-check sends it as it is: the workflow checks its input too, and fails on it.
    const sent = await headway([...start, '--no-check']);
    expect(sent.code, sent.stderr).toBe(0);
    // The suite's worker polls this queue: no note.
    expect(sent.stderr).not.toContain('no worker has polled');
    const follow = await headway(followArgs('cli-bad'));
    expect(follow.code).toBe(1);
    expect(follow.stdout).toMatch(/FAILED +INVALID_INPUT: invalid input for fanOutFanIn: values:/);
  });

  it('start says so when no worker polls the task queue', async () => {
    const started = await headway(passingLoop('cli-unpolled', '-q', 'nobody-polls-this'));
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain(
      'note: no worker has polled task queue nobody-polls-this (namespace default) lately',
    );
    await headway(['workflow', 'terminate', 'cli-unpolled', '--reason', 'test over']);
  });

  it('terminate needs a reason; a second start of a running id is refused', async () => {
    await headway(['workflow', 'start', 'longRunning', '--id', 'cli-long']);
    const again = await headway(['workflow', 'start', 'longRunning', '--id', 'cli-long']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'error[WORKFLOW_ALREADY_STARTED]: workflow cli-long is already running in namespace default',
    );
    const noReason = await headway(['workflow', 'terminate', 'cli-long']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    const terminated = await headway([
      'workflow',
      'terminate',
      'cli-long',
      '--reason',
      'test over',
    ]);
    expect(terminated.stdout).toBe('Terminated workflow cli-long (namespace default): test over\n');
    const status = await headway(['workflow', 'status', 'cli-long']);
    expect(status.stdout).toMatch(/^status +TERMINATED$/m);
    expect(status.stdout).toMatch(/^failure +TerminatedFailure: test over$/m);
  });
});

describe('headway workflow: errors name the workflow, the namespace or the server', () => {
  it('an unknown workflow id', async () => {
    for (const args of [
      ['status', 'no-such-id'],
      ['signal', 'no-such-id', 'pause'],
      ['query', 'no-such-id', 'progress'],
      ['cancel', 'no-such-id'],
    ]) {
      const r = await headway(['workflow', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(
        'error[WORKFLOW_NOT_FOUND]: workflow no-such-id not found in namespace default',
      );
    }
  });

  it('a workflow that has closed, and a query it does not answer', async () => {
    const signal = await headway(['workflow', 'signal', 'cli-pass', 'pause']);
    expect(signal.code).toBe(1);
    expect(signal.stderr).toContain(
      'error[WORKFLOW_NOT_RUNNING]: workflow cli-pass in namespace default is not running (COMPLETED)',
    );
    const query = await headway(['workflow', 'query', 'cli-pass', 'nosuch']);
    expect(query.code).toBe(1);
    expect(query.stderr).toContain(
      'error[QUERY_FAILED]: workflow cli-pass in namespace default does not answer query nosuch',
    );
  });

  it('a wrong namespace, by flag or environment', async () => {
    const byFlag = await headway(['workflow', 'status', 'cli-pass', '--namespace', 'nope']);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stderr).toContain(
      `error[NAMESPACE_NOT_FOUND]: namespace nope not found on ${server.address}`,
    );
    const byEnv = await headway(['workflow', 'list'], { TEMPORAL_NAMESPACE: 'nope' });
    expect(byEnv.stderr).toContain('error[NAMESPACE_NOT_FOUND]: namespace nope not found');
    const start = await headway(['workflow', 'start', 'workLoop', '{"step":"pass"}', '-n', 'nope']);
    expect(start.stderr).toContain('error[NAMESPACE_NOT_FOUND]');
  });

  it('a server that is down: one line with the address and the fix, fast', async () => {
    const [port] = await findFreePorts(1);
    const address = `127.0.0.1:${port}`;
    for (const args of [['workflow', 'status', 'cli-pass'], ['worker']]) {
      const started = Date.now();
      const r = await headway(args, { TEMPORAL_ADDRESS: address });
      expect(r.code, args.join(' ')).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.stderr).toContain(
        `error[TEMPORAL_UNAVAILABLE]: cannot reach Temporal at ${address} (namespace default)`,
      );
      expect(r.stderr).toContain('fix: is the server running? `headway up` starts a local one');
    }
  });

  it('invalid configuration lists every problem before connecting', async () => {
    const r = await headway(['workflow', 'list'], {
      TEMPORAL_ADDRESS: 'no-port',
      TEMPORAL_TLS: 'maybe',
      TEMPORAL_TASK_QUEUE: ' ',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[CONFIG_INVALID]');
    expect(r.stderr).toContain('→ at temporal.address');
    expect(r.stderr).toContain('→ at temporal.tls');
  });
});

describe('headway worker shutdown', () => {
  it('first SIGTERM: stops within the grace period, cancelling what still runs', async () => {
    await headway(['workflow', 'start', 'workLoop', '{"step":"hang"}', '--id', 'cli-hang-1']);
    const pid = await eventually('the step to start', () =>
      existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined,
    );
    const targetFile = join(targetsDir, `worker-${worker.child.pid}.json`);
    expect(existsSync(targetFile)).toBe(true);
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.closed).toBe(0);
    // Grace 2 s, then the activity is cancelled and its process group killed.
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(worker.output().stdout).toContain('Worker stopped.');
    expect(worker.output().stderr).toContain('SIGTERM: stopping; running activities get 2 s');
    expect(existsSync(targetFile)).toBe(false);
    await eventually('the step process to be gone', () => (isAlive(pid) ? undefined : true));
  });

  it('second signal: exits at once and kills running steps', async () => {
    const w = await startWorker(['--shutdown-grace', '300', '-q', 'cli-forced']);
    worker = w; // afterAll cleans up whatever is left
    writeFileSync(pidFile, '');
    await headway([
      'workflow',
      'start',
      'workLoop',
      '{"step":"hang"}',
      '--id',
      'cli-hang-2',
      '-q',
      'cli-forced',
    ]);
    const pid = await eventually('the step to start', () => {
      const text = readFileSync(pidFile, 'utf8');
      return text === '' ? undefined : Number(text);
    });
    w.child.kill('SIGINT');
    await eventually('the worker to acknowledge the first signal', () =>
      w.output().stderr.includes('SIGINT: stopping') ? true : undefined,
    );
    expect(w.child.exitCode).toBeNull(); // waiting for the running step (grace 300 s)
    w.child.kill('SIGINT');
    expect(await w.closed).toBe(1);
    expect(w.output().stderr).toContain(
      'error[WORKER_FORCED_EXIT]: worker stopped without waiting',
    );
    await eventually('the step process to be killed', () => (isAlive(pid) ? undefined : true));
    expect(existsSync(join(targetsDir, `worker-${w.child.pid}.json`))).toBe(false);
  });
});
