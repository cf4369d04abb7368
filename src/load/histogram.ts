/**
 * A mergeable latency histogram: counts live in an `hdr-histogram-js` histogram (values in
 * microseconds, 3 significant digits, the pure-JS build), converted at the edge to the bench's
 * JSON shape, a sparse list of [bucket lowest value, count]. Percentiles of several runs come from
 * merging, never averaging.
 */
import { createRequire } from 'node:module';

// Types only: the index is not loaded at run time.
import type { JsHistogram } from 'hdr-histogram-js';

// The pure-JS 64-bit histogram from its own module: the package's index also loads its WebAssembly
// build (a base64 blob, and pako to inflate it), 40-50 ms of CPU at every start of the bench
// against 6 ms (docs/bench.md, "Twelfth round"). Required, not imported: a CommonJS module whose
// class is its `default` property, which Node's and Vitest's ESM interop do not agree on.
const { default: Float64Histogram } = createRequire(import.meta.url)(
  'hdr-histogram-js/dist/Float64Histogram.js',
) as { default: new (lowest: number, highest: number, digits: number) => JsHistogram };

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

/** A fresh HdrHistogram of microseconds with 3 significant digits, resized as values grow. */
function hdr(): JsHistogram {
  // What the package's `build` makes of { bitBucketSize: 64, autoResize: true }, the defaults
  // otherwise (lowest 1, highest 2, 3 digits), without WebAssembly.
  const h = new Float64Histogram(1, 2, 3);
  h.autoResize = true;
  return h;
}

/** Bucket boundaries depend only on the precision, so one empty histogram answers for all. */
const SHAPE = hdr();

export class LatencyHistogram {
  // Exact count, extremes and sum beside the buckets: HdrHistogram reports bucket-rounded ones.
  readonly #hdr = hdr();
  #count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #sum = 0;

  /** Records one value in milliseconds (negative values are clamped to 0). */
  recordMs(ms: number): void {
    this.#recordUs(Math.max(0, Math.round(ms * 1_000)), 1);
  }

  #recordUs(us: number, count: number): void {
    this.#hdr.recordValueWithCount(us, count);
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
    this.#hdr.add(other.#hdr);
    this.#count += other.#count;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    this.#sum += other.#sum;
    return this;
  }

  /**
   * The value (ms) at or below which `p` percent of the values fall: the highest value equivalent
   * to the bucket holding rank ceil(p/100 · count), capped at the recorded maximum (HdrHistogram's
   * convention, with the exact maximum rather than its bucket's top). 0 when empty.
   */
  percentileMs(p: number): number {
    if (this.#count === 0) return 0;
    if (p >= 100) return this.#max / 1_000;
    // The epsilon keeps float error (0.99 × 100 = 99.00000000000001) from skipping a rank.
    const rank = Math.max(1, Math.ceil((p * this.#count) / 100 - 1e-9));
    let seen = 0;
    for (const [key, count] of this.#buckets()) {
      seen += count;
      if (seen >= rank) return Math.min(SHAPE.highestEquivalentValue(key), this.#max) / 1_000;
    }
    return this.#max / 1_000;
  }

  /** [bucket lowest value in µs, count] of every non-empty bucket, ascending. */
  *#buckets(): Generator<[number, number]> {
    const h = this.#hdr;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const count = h.getCountAtIndex(i);
      if (count > 0) yield [h.valueFromIndex(i), count];
    }
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
      buckets: [...this.#buckets()],
    };
  }

  static fromJSON(snapshot: HistogramSnapshot): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [key, count] of snapshot.buckets) h.#hdr.recordValueWithCount(key, count);
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
  return SHAPE.lowestEquivalentValue(us);
}

function round3(n: number): number {
  return Math.round(n * 1_000) / 1_000;
}
