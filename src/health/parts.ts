import type { TargetState } from './types.js';

/** The services none of whose targets is up, when at least one target of the cluster is. */
export function servicesDown(targets: readonly TargetState[] | undefined): string[] {
  if (targets === undefined || !targets.some((t) => t.up)) return [];
  const services = [...new Set(targets.map((t) => t.service))];
  return services.filter((s) => targets.every((t) => t.service !== s || !t.up));
}

/** Instances down while at least one target of the cluster is up. */
export function instancesDown(targets: readonly TargetState[] | undefined): TargetState[] {
  if (targets === undefined || !targets.some((t) => t.up)) return [];
  return targets.filter((t) => !t.up);
}
