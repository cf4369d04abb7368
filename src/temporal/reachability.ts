import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS without static named exports.
const { ServingStatus } = proto.grpc.health.v1.HealthCheckResponse;

/** The service name the frontend registers with the gRPC health protocol. */
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

/**
 * The real readiness check for a Temporal frontend: a gRPC health check of the WorkflowService.
 * Resolves true only for SERVING; any connection error is "not ready".
 */
export async function isTemporalServing(address: string, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    const response = await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection!.healthService.check({ service: WORKFLOW_SERVICE }),
    );
    return response.status === ServingStatus.SERVING;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}
