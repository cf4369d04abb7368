/**
 * The hidden argument `headway up --detach` starts its supervisor with. Apart from daemon.ts so the
 * CLI entry can recognise it without loading the supervisor's code on every start.
 */
export const DAEMON_COMMAND = '__supervise';
