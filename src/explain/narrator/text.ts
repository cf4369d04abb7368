/** Small text helpers: how the narrator writes numbers, units and lists. */

export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return Number(x.toFixed(1)).toString();
  return Number(x.toPrecision(2)).toString();
}

export const pct = (ratio: number): string => `${Math.round(ratio * 100)} %`;

export function withUnit(x: number, unit: string): string {
  if (unit === '') return num(x);
  if (unit === 'ratio') return pct(x);
  if (unit === '/s') return `${num(x)}/s`;
  return `${num(x)} ${unit}`;
}

export const capitalize = (s: string): string =>
  s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);

export const lowerFirst = (s: string): string =>
  s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);

/** An action's description without the runbook reference and the final period. */
export const stripSee = (s: string): string =>
  s.replace(/\s*See \S+\.md → .*$/, '').replace(/\.$/, '');

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A confidence is never certain either way. */
export const clamp01 = (x: number): number => Math.min(0.95, Math.max(0.05, x));
