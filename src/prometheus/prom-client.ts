/**
 * The prom-client classes Headway uses, loaded from their own modules. The package's index also
 * loads its push gateway (with `node:https` and TLS), its cluster aggregator, summaries and default
 * process metrics: 75-110 ms of CPU at every start of `bench run` and the copilot, against 8-10 ms
 * for these four (docs/bench.md, "Twelfth round"). The types are the package's own.
 */
import { createRequire } from 'node:module';

import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
