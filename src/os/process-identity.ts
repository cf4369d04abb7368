import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A process as Headway recorded it. The start time (clock ticks since boot, from /proc) guards
 * against pid reuse: Headway only ever signals a pid whose start time still matches its record.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** `null` where /proc is unavailable (macOS): then only liveness is checked. */
  readonly start_time: number | null;
}

function readStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function readStartTime(pid: number): number | null {
  const value = Number(readStat(pid)?.[19]); // field 22, starttime
  return Number.isFinite(value) ? value : null;
}

export function identify(pid: number): ProcessIdentity {
  return { pid, start_time: readStartTime(pid) };
}

/** True when the recorded process is still the one running under that pid. */
export function isRunning(identity: ProcessIdentity): boolean {
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return false;
  try {
    process.kill(identity.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it belongs to another user, so it cannot be ours.
    return false;
  }
  if (identity.start_time === null) return true;
  const stat = readStat(identity.pid);
  // An exited child its parent has not reaped yet is a zombie: it is no longer running.
  if (stat === null || stat[0] === 'Z') return false;
  return Number(stat[19]) === identity.start_time;
}

/**
 * Sends SIGTERM, waits up to `graceMs`, then SIGKILL. Does nothing unless the identity still
 * matches, so a recycled pid is never touched. Resolves true if the process is gone.
 */
export async function terminate(identity: ProcessIdentity, graceMs: number): Promise<boolean> {
  if (!isRunning(identity)) return true;
  signal(identity, 'SIGTERM');
  if (await waitForExit(identity, graceMs)) return true;
  signal(identity, 'SIGKILL');
  return waitForExit(identity, 5_000);
}

export function signal(identity: ProcessIdentity, sig: NodeJS.Signals): void {
  if (!isRunning(identity)) return;
  try {
    process.kill(identity.pid, sig);
  } catch {
    // Exited between the check and the signal.
  }
}

export async function waitForExit(identity: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(identity)) return true;
    await delay(100);
  }
  return !isRunning(identity);
}
