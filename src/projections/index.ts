/** The projections this application runs, and the public surface of src/projections. */
import type { Projection } from './projection.ts';
import { electionsProjection } from './elections-projection.ts';
import { votersProjection } from './voters-projection.ts';

export function defaultProjections(): Projection[] {
  return [electionsProjection(), votersProjection()];
}

export type { Notification, Projection } from './projection.ts';
export { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus } from './runner.ts';
export { createReadModelQueries } from './queries.ts';
export { electionsProjection } from './elections-projection.ts';
export { votersProjection } from './voters-projection.ts';
export { ProjectionError, isProjectionError, type ProjectionErrorCode } from './errors.ts';
