/**
 * SQLSTATEs the server sends while a connection is being set up: bad credentials (class 28), no
 * such database, too many connections, server starting or shutting down, connection exceptions.
 */
export function isConnectSqlState(state: string | undefined): boolean {
  return (
    state !== undefined &&
    (state.startsWith('28') ||
      state.startsWith('08') ||
      state === '3D000' ||
      state === '53300' ||
      state.startsWith('57P'))
  );
}
