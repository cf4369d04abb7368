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
