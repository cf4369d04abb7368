/**
 * `npm run bench:rpc` measures each transport by what it really sent: every start its child
 * process paced reached the server (looked up by id, which visibility's lag cannot hide).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDevServer, type DevServer } from '../helpers/dev-server.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/bench-rpc.ts', import.meta.url));
const STARTS = 4;

let server: DevServer;
let connection: Connection;

beforeAll(async () => {
  server = await startDevServer();
  connection = await Connection.connect({ address: server.address });
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

describe('bench:rpc', () => {
  it.each(['native', 'grpc-js', 'grpc-js-raw', 'http2'])(
    'the %s transport starts every workflow it counts',
    async (transport) => {
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          SCRIPT,
          `--child=${transport}`,
          `--address=${server.address}`,
          `--starts=${STARTS}`,
          '--rate=50',
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const measured = JSON.parse(run.stdout.trim()) as { cpuMs: number; idPrefix: string };
      expect(measured.cpuMs).toBeGreaterThan(0);
      const ids = ['warm', ...Array.from({ length: STARTS }, (_, i) => String(i))].map(
        (suffix) => `${measured.idPrefix}${suffix}`,
      );
      for (const workflowId of ids) {
        const described = await connection.workflowService.describeWorkflowExecution({
          namespace: server.namespace,
          execution: { workflowId },
        });
        expect(described.workflowExecutionInfo?.type?.name).toBe('simple');
        expect(described.workflowExecutionInfo?.taskQueue).toBe('headway-bench-rpc');
      }
    },
  );
});
