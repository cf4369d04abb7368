import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';

import { isPrometheusReady } from '../../src/signals/prometheus-client.js';
import { findFreePorts } from '../../src/os/ports.js';
import { renderPrometheusConfig, type ScrapeTarget } from '../../src/stack/prometheus-config.js';
import type { ServiceSpec } from '../../src/stack/service-specs.js';
import { Supervisor } from '../../src/stack/supervisor.js';

import { testBinaries } from './binaries.js';
import { makeTempDir } from './temp-dir.js';

export interface TestPrometheus {
  readonly url: string;
  /** SIGSTOP: Prometheus stops answering (an outage), its process stays. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  stop(): Promise<void>;
}

/**
 * A real Prometheus on a free loopback port scraping `targets` every `scrapeInterval`, for suites
 * that need one without the whole stack. Stopped (and its files removed) by `stop`.
 */
export async function startTestPrometheus(
  targets: readonly ScrapeTarget[],
  scrapeInterval = '1s',
): Promise<TestPrometheus> {
  const { prometheus } = await testBinaries();
  const dir = makeTempDir('headway-prometheus-');
  const [port] = await findFreePorts(1);
  const url = `http://127.0.0.1:${String(port)}`;
  const configFile = join(dir.path, 'prometheus.yml');
  const targetsDir = join(dir.path, 'targets');
  mkdirSync(targetsDir, { recursive: true });
  writeFileSync(
    configFile,
    renderPrometheusConfig({
      scrapeInterval,
      static: targets,
      selfAddress: `127.0.0.1:${String(port)}`,
      targetsDir,
    }),
  );
  const spec: ServiceSpec = {
    // The supervisor only uses the name for logs and records.
    name: 'prometheus',
    command: prometheus,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
    ],
    cwd: dir.path,
    logFile: join(dir.path, 'prometheus.log'),
    ports: { http: port! },
    url,
    endpoints: [],
    probe: (timeoutMs) => isPrometheusReady(url, { timeoutMs }),
  };
  const supervisor = new Supervisor({ logger: pino({ level: 'silent' }) });
  try {
    await supervisor.startAll([spec], Date.now() + 60_000, () => undefined);
  } catch (err) {
    dir.remove();
    throw err;
  }
  const pid = supervisor.records()[0]?.pid ?? -1;
  return {
    url,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    stop: async () => {
      // A paused process cannot act on SIGTERM.
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
      await supervisor.stopAll();
      dir.remove();
    },
  };
}
