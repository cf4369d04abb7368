/**
 * A mergeable latency histogram with HDR precision: values are recorded in microseconds and kept
 * with 3 significant decimal digits (11 significant bits, as HdrHistogram with
 * `numberOfSignificantValueDigits = 3`), so any percentile is within 0.1% of the exact value.
 * Counts live in a sparse map keyed by the bucket's lowest value, which makes merging a sum of
 * counts and the JSON form small. Percentiles of several runs come from merging, never averaging.
 */

const SIGNIFICANT_BITS = 11;
const EXACT_BELOW = 2 ** SIGNIFICANT_BITS;

export interface HistogramSnapshot {
  /** Unit of the keys: microseconds. */
  readonly unit: 'us';
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  /** [bucket lowest value in µs, count], ascending. */
  readonly buckets: readonly (readonly [number, number])[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  readonly min: number;
}

export class LatencyHistogram {
  #counts = new Map<number, number>();
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #sum = 0;

  /** Records one value in milliseconds (negative values are clamped to 0). */
  recordMs(ms: number): void {
    this.#recordUs(Math.max(0, Math.round(ms * 1_000)), 1);
  }

  #recordUs(us: number, count: number): void {
    const key = bucketOf(us);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + count);
    this.#count += count;
    this.#min = Math.min(this.#min, us);
    this.#max = Math.max(this.#max, us);
    this.#sum += us * count;
  }

  get count(): number {
    return this.#count;
  }

  /** Adds every value of `other` to this histogram. */
  merge(other: LatencyHistogram): this {
    for (const [key, count] of other.#counts) {
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + count);
    }
    this.#count += other.#count;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    this.#sum += other.#sum;
    return this;
  }

  /**
   * The value (ms) at or below which `p` percent of the values fall: the highest value equivalent
   * to the bucket holding rank ceil(p/100 · count), capped at the recorded maximum (HdrHistogram's
   * convention). 0 when empty.
   */
  percentileMs(p: number): number {
    if (this.#count === 0) return 0;
    if (p >= 100) return this.#max / 1_000;
    // The epsilon keeps float error (0.99 × 100 = 99.00000000000001) from skipping a rank.
    const rank = Math.max(1, Math.ceil((p * this.#count) / 100 - 1e-9));
    let seen = 0;
    for (const key of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(key) ?? 0;
      if (seen >= rank) return Math.min(highestEquivalent(key), this.#max) / 1_000;
    }
    return this.#max / 1_000;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: round3(this.percentileMs(50)),
      p90: round3(this.percentileMs(90)),
      p95: round3(this.percentileMs(95)),
      p99: round3(this.percentileMs(99)),
      p999: round3(this.percentileMs(99.9)),
      max: round3(this.#max / 1_000),
      min: round3(this.#count === 0 ? 0 : this.#min / 1_000),
      mean: round3(this.#count === 0 ? 0 : this.#sum / this.#count / 1_000),
    };
  }

  toJSON(): HistogramSnapshot {
    return {
      unit: 'us',
      count: this.#count,
      min: this.#count === 0 ? 0 : this.#min,
      max: this.#max,
      sum: this.#sum,
      buckets: [...this.#counts.entries()].sort((a, b) => a[0] - b[0]),
    };
  }

  static fromJSON(snapshot: HistogramSnapshot): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [key, count] of snapshot.buckets) {
      h.#counts.set(key, (h.#counts.get(key) ?? 0) + count);
    }
    h.#count = snapshot.count;
    h.#min = snapshot.count === 0 ? Number.POSITIVE_INFINITY : snapshot.min;
    h.#max = snapshot.max;
    h.#sum = snapshot.sum;
    return h;
  }

  static merged(histograms: readonly LatencyHistogram[]): LatencyHistogram {
    const out = new LatencyHistogram();
    for (const h of histograms) out.merge(h);
    return out;
  }
}

/** Lowest value of the bucket holding `us`: exact below 2048, else the top 11 bits kept. */
export function bucketOf(us: number): number {
  if (us < EXACT_BELOW) return us;
  const shift = Math.floor(Math.log2(us)) + 1 - SIGNIFICANT_BITS;
  const width = 2 ** shift;
  return Math.floor(us / width) * width;
}

function highestEquivalent(key: number): number {
  if (key < EXACT_BELOW) return key;
  const shift = Math.floor(Math.log2(key)) + 1 - SIGNIFICANT_BITS;
  return key + 2 ** shift - 1;
}

function round3(n: number): number {
  return Math.round(n * 1_000) / 1_000;
}
