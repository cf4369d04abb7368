/**
 * The typed vocabulary every layer shares: signal fields, the wire `Signals` shape, the records
 * that cross boundaries, and failure types. Pure: no I/O, no imports outside this folder.
 */
export * from './failures.js';
export * from './records.js';
export * from './signal-fields.js';
export type * from './signals.js';
