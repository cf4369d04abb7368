import type { ContributingFactor } from '../explanation.js';

import type { ActionSeed } from './causes/cause.js';
import type { Context } from './context.js';
import { shortFields } from './fields.js';
import { round2 } from './text.js';

/** Where the narrator may send an operator when the state is unknown: data sources only. */
export const DATA_RESTORING_TARGETS: readonly string[] = ['prometheus', 'temporal-server'];

/** Why the state is unknown, and how to get the data back. */
export interface UnknownReason {
  readonly text: string;
  readonly action: ActionSeed;
  readonly watch: string;
  readonly heading: string;
  readonly factor: ContributingFactor;
}

export function unknownReasons(c: Context): UnknownReason[] {
  const raw = c.evaluation.reasons
    .filter((r) => r.startsWith('unknown: '))
    .map((r) => r.slice('unknown: '.length));
  const reasons = raw.length > 0 ? raw : ['the signals needed to decide are missing'];
  return reasons.map((text, i): UnknownReason => {
    const weight = round2(1 - i * 0.1);
    if (/Prometheus did not answer/i.test(text)) {
      return {
        text,
        heading: 'prometheus did not answer',
        watch:
          'Prometheus answering again: `headway signals` prints the data-quality report (prometheus_ok)',
        factor: { factor: 'Prometheus did not answer', signal: null, observed: null, weight },
        action: {
          action_type: 'investigate',
          target_service: 'prometheus',
          description:
            'Check that Prometheus is running and reachable from the copilot (HEADWAY_PROMETHEUS_URL, /-/ready, headway doctor)',
          confidence: 0.8,
          risk_level: 'low',
        },
      };
    }
    if (/not being scraped|up == 0/i.test(text)) {
      return {
        text,
        heading: 'monitored server is not scraped',
        watch: "the monitored server's scrape target back up (up == 1)",
        factor: {
          factor: 'the monitored server is not being scraped (up == 0)',
          signal: null,
          observed: 0,
          weight,
        },
        action: {
          action_type: 'investigate',
          target_service: 'temporal-server',
          description:
            "Check the monitored server's metrics endpoint and the scrape error on Prometheus' targets page",
          confidence: 0.75,
          risk_level: 'low',
        },
      };
    }
    if (/no scrape target/i.test(text)) {
      return {
        text,
        heading: 'monitored server is not scraped',
        watch: 'a scrape target that matches HEADWAY_SERVER_SELECTOR',
        factor: {
          factor: 'Prometheus has no scrape target for the monitored server',
          signal: null,
          observed: null,
          weight,
        },
        action: {
          action_type: 'configure',
          target_service: 'prometheus',
          description:
            'Add a scrape job for the monitored server, or fix HEADWAY_SERVER_SELECTOR so it matches the target labels',
          confidence: 0.7,
          risk_level: 'low',
        },
      };
    }
    if (/stale/i.test(text)) {
      const age = /last scrape (\d+)/.exec(text)?.[1];
      return {
        text,
        heading: 'data is stale',
        watch: `a fresh scrape: the last one must be under ${c.thresholds.rules.max_scrape_age_s} s old`,
        factor: {
          factor: 'the last scrape is too old',
          signal: null,
          observed: age === undefined ? null : Number(age),
          weight,
        },
        action: {
          action_type: 'investigate',
          target_service: 'prometheus',
          description:
            "Check why Prometheus stopped scraping the server: the target's last scrape duration and error, and Prometheus' own load",
          confidence: 0.7,
          risk_level: 'low',
        },
      };
    }
    const fields = text.includes(':') ? text.slice(text.indexOf(':') + 1).trim() : '';
    return {
      text:
        fields.length > 0
          ? `signals a critical gate needs are absent (${shortFields(fields)})`
          : text,
      heading: 'signals a critical gate needs are absent',
      watch: `the deciding signals present again${fields.length > 0 ? `: ${shortFields(fields)}` : ''}`,
      factor: {
        factor: 'signals a critical gate needs are absent',
        signal: null,
        observed: null,
        weight,
      },
      action: {
        action_type: 'configure',
        target_service: 'temporal-server',
        description:
          'Check that the server exports the missing metrics and that every service (history, frontend, matching) is scraped; compare with `headway signals --json` (quality.unavailable)',
        confidence: 0.6,
        risk_level: 'low',
      },
    };
  });
}
