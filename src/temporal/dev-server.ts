/**
 * How every dev server Headway starts keeps its SQLite database: the stack's two (`stack/`), the
 * copilot's in a deploy render (`deploy/`) and the cost scripts' (`scripts/`). The server writes
 * through one connection, so its throughput is that connection's: each workflow costs about 500
 * `pwrite` calls (WAL frames; the visibility table alone has some 50 indexes). Measured at 50/s
 * (docs/bench.md, "What limits the dev server"): with the last two settings the server made 20%
 * fewer system calls and used 70% instead of 79–85% of a core, and `bench find-max` went from
 * 70/s to 80/s.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = [
  // WAL: a commit appends to the log instead of rewriting pages in place behind a rollback journal.
  'journal_mode=WAL',
  // What WAL is designed for: no fsync at each commit (a power cut may lose the last commits, never
  // the database), several times faster than FULL.
  'synchronous=NORMAL',
  // The server is the database's only user: no lock calls on the shared-memory index at every
  // transaction (100 per workflow), which stays in the process's heap. Another process cannot open
  // the file while the server runs ("database is locked"): read it through the server's API.
  'locking_mode=EXCLUSIVE',
  // Copy the log into the database every 10,000 pages (40 MB) instead of 1,000: a page rewritten
  // many times between two checkpoints is copied once (a tenth of the fsyncs, a third of the reads).
  'wal_autocheckpoint=10000',
] as const;

/** The pragmas as `temporal server start-dev` flags. */
export function devServerSqliteArgs(): string[] {
  return DEV_SERVER_SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]);
}
