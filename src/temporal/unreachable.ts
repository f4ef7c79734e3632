import { isGrpcServiceError } from '@temporalio/client';

// gRPC's UNAVAILABLE: the client could not reach the server, after its own retries (about 20 s of them).
const unavailable = 14;

/** True when a Temporal call failed because the server could not be reached: it is down, or the network is. */
export function temporalUnreachable(err: unknown): boolean {
  // The client wraps the gRPC error once or twice (a ServiceError, a query's own error).
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && (e.code as number) === unavailable) return true;
  }
  return false;
}
