/** Transitional: moved to `test/helpers/make-signals.ts`; kept until `src/explain/` tests import it there. */
export * from '../../test/helpers/make-signals.js';
