import { createServer, type Server } from 'node:net';

import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findFreePorts } from '../../src/os/ports.js';
import { runCli } from '../helpers/cli.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('headway copilot and status commands (real CLI, real dev server)', () => {
  const dir = makeTempDir('headway-copilot-cli-');
  let server: DevServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startDevServer();
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_COPILOT_ADDRESS: server.address,
      HEADWAY_CLUSTER_ID: 'cli',
    };
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('copilot start starts the three workflows once, however often it runs', async () => {
    const first = await runCli(['copilot', 'start', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const ids = JSON.parse(first.stdout) as Record<string, string>;
    expect(ids).toEqual({
      observe: 'headway-observe-cli',
      logWatcher: 'headway-log-watcher-cli',
      scheduled: 'headway-scheduled-assessment-cli',
    });
    const again = await runCli(['copilot', 'start', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(ids);

    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      for (const id of Object.values(ids)) {
        const running: string[] = [];
        for await (const wf of client.workflow.list({
          query: `WorkflowId = '${id}' AND ExecutionStatus = 'Running'`,
        })) {
          running.push(wf.runId);
        }
        expect(running, id).toHaveLength(1);
        // No worker polls here: stop them so the dev server is left clean.
        await client.workflow.getHandle(id).terminate('test done');
      }
    } finally {
      await connection.close();
    }
  });

  it('status says how to fix an API that does not answer', async () => {
    const [port] = await findFreePorts(1);
    const result = await runCli(['status', '--api', `http://127.0.0.1:${String(port)}`], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('COPILOT_UNREACHABLE');
    expect(result.stderr).toContain('headway up');
  });

  it('copilot api refuses a busy port with PORT_IN_USE, naming it', async () => {
    const [port] = await findFreePorts(1);
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCli(['copilot', 'api', '--api-port', String(port)], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PORT_IN_USE');
      expect(result.stderr).toContain(String(port));
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('copilot worker fails fast with TEMPORAL_UNAVAILABLE when the copilot cluster is down', async () => {
    const [port] = await findFreePorts(1);
    const result = await runCli(
      ['copilot', 'worker', '--copilot-address', `127.0.0.1:${String(port)}`],
      env,
      60_000,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TEMPORAL_UNAVAILABLE');
  });

  it('refuses a store password on the command line (argv is visible in ps), without echoing it', async () => {
    const out = await runCli(
      ['copilot', 'api', '--store-url', 'postgres://copilot:hunter2-secret@127.0.0.1:1/copilot'],
      env,
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--store-url must not carry a password');
    expect(out.stderr).toContain('HEADWAY_STORE_URL');
    expect(out.stderr + out.stdout).not.toContain('hunter2-secret');
  });

  it('rejects a bad flag value with a usage error', async () => {
    const result = await runCli(['copilot', 'run', '--cadence', 'soon'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cadence_s/);
  });
});
