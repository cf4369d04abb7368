import { isGrpcServiceError } from '@temporalio/client';

/** gRPC status codes Headway tells apart (@grpc/grpc-js `status`). */
export const GRPC = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  UNAVAILABLE: 14,
} as const;

/** The gRPC error somewhere in an error's cause chain (the SDK wraps them). */
export function grpcCause(err: unknown): { code: number } | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    if (isGrpcServiceError(e)) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/**
 * An error's gRPC status code: from the gRPC error in its cause chain, else its own `code` (the
 * native connection rejects with plain errors that carry one).
 */
export function grpcCode(err: unknown): number | undefined {
  const code = grpcCause(err)?.code ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
