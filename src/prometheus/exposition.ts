import type { Registry } from 'prom-client';

/**
 * A registry's text exposition (format 0.0.4) with one sample or comment per line. prom-client
 * separates metric families with a blank line; the servers here have always answered without one,
 * and escaped values hold no raw line feed, so every blank line is a separator.
 */
export async function exposition(registry: Registry): Promise<string> {
  return (await registry.metrics()).replace(/\n\n+/g, '\n');
}
