import { createServer, type Server } from 'node:http';

import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { StateChangeEvent } from '../types.js';

import { alertBody, alertTargets, sendAlert } from './alerts.js';

const event: StateChangeEvent = {
  event_id: '7b0c6f1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  cluster_id: 'prod',
  from: 'happy',
  to: 'critical',
  at: '2026-11-22T03:00:00.000Z',
  cycle: 42,
  scale_band: 'mid-scale',
  fired_gates: ['critical.history_backlog'],
  reasons: ['history backlog 900 s > 300 s'],
};

describe('alert targets and bodies', () => {
  it('names targets without their URLs', () => {
    const targets = alertTargets({
      webhooks: ['https://a.example/secret-token'],
      slack_webhooks: ['https://hooks.slack.example/T0/B0/secret'],
    });
    expect(targets.map(({ name, format }) => ({ name, format }))).toEqual([
      { name: 'webhook-1', format: 'json' },
      { name: 'slack-1', format: 'slack' },
    ]);
  });

  it('sends the whole event as JSON, and a one-line text to Slack', () => {
    expect(alertBody('json', event)).toEqual({ type: 'headway.health_state_changed', ...event });
    expect(alertBody('slack', event)).toEqual({
      text: ':red_circle: Temporal cluster *prod* is now *critical* (was happy): history backlog 900 s > 300 s',
    });
  });
});

describe('sendAlert against a real local receiver', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; key: string | undefined; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({
          path: req.url ?? '',
          key: req.headers['idempotency-key'] as string | undefined,
          body: JSON.parse(body) as unknown,
        });
        const status = Number((req.url ?? '').split('/').pop());
        res.writeHead(Number.isInteger(status) && status >= 200 ? status : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as { port: number }).port)}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (url: string) =>
    new MockActivityEnvironment().run(
      sendAlert,
      { webhooks: [url], slack_webhooks: [] },
      { target: 'webhook-1', event },
    );

  it('POSTs with the event id as idempotency key', async () => {
    await expect(send(`${base}/ok/204`)).resolves.toEqual({ status: 204 });
    expect(seen.at(-1)).toMatchObject({ path: '/ok/204', key: event.event_id });
  });

  it('a 5xx is retryable; a 4xx (not 408/429) is not; neither quotes the URL', async () => {
    const failure = async (status: number) => {
      try {
        await send(`${base}/secret-path/${String(status)}`);
      } catch (err) {
        return err as ApplicationFailure;
      }
      throw new Error('expected a failure');
    };
    const five = await failure(503);
    expect(five.nonRetryable).toBe(false);
    expect(five.message).toBe('webhook-1: answered 503');
    const four = await failure(404);
    expect(four.nonRetryable).toBe(true);
    expect((await failure(429)).nonRetryable).toBe(false);
    expect(four.message).not.toContain('secret-path');
  });

  it('a receiver that is down is retryable, and the URL is not quoted', async () => {
    await new Promise((resolve) => server.close(resolve));
    const err = await send(`${base}/gone/204`).catch((e: unknown) => e as ApplicationFailure);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(false);
    expect((err as ApplicationFailure).message).toMatch(/^webhook-1: request failed \([A-Z_]+\)$/);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
