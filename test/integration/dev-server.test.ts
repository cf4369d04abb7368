import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';

import { isPortFree } from '../../src/os/ports.js';
import { startDevServer } from '../helpers/dev-server.js';
import { runHelloWorkflow } from '../helpers/hello-worker.js';

describe('test helper: startDevServer (a real dev server on free ports)', () => {
  it('serves gRPC and metrics, creates the namespaces asked for, runs a workflow, and stops', async () => {
    const server = await startDevServer({ namespaces: ['helper-ns'] });
    const port = Number(server.address.split(':')[1]);
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const described = await connection.workflowService.describeNamespace({
          namespace: 'helper-ns',
        });
        expect(described.namespaceInfo?.name).toBe('helper-ns');
      } finally {
        await connection.close();
      }
      const metrics = await fetch(server.metricsUrl);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('service_requests');

      expect(await runHelloWorkflow(server.address, `helper-${Date.now()}`)).toBe('hello, headway');
    } finally {
      await server.stop();
    }
    expect(await isPortFree(port)).toBe(true);
  });
});
