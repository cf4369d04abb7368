import { readFileSync, readdirSync } from 'node:fs';

/**
 * How many of this process's threads carry `name` (Linux's /proc/self/task/<tid>/comm, at most 15
 * characters: the Temporal core's runtime threads are `tokio-runtime-w`); null without /proc.
 */
export function countOwnThreads(name: string): number | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  let count = 0;
  for (const tid of tids) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name) count++;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return count;
}
