import { sanitizeLabelValue } from '../../src/api/metrics.js';

/**
 * A label value as `/metrics` writes it: sanitised by the API, then escaped as the text format
 * requires (backslash, double quote, line feed), which is what prom-client does on output. Tests
 * use it to check the escaping without a scrape.
 */
export function escapeLabelValue(value: string): string {
  return sanitizeLabelValue(value)
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}
