/** Transitional: the old name of `service-health.ts`, kept until `src/explain/` imports the new one. */
export * from './service-health.js';
