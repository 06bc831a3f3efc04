/** Errors of the projection runner, with stable codes like every other error in evote. */
export type ProjectionErrorCode = 'PROJECTION_NOT_FOUND' | 'PROJECTION_TIMEOUT';

export class ProjectionError extends Error {
  constructor(
    readonly code: ProjectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProjectionError';
  }
}

export function isProjectionError(err: unknown): err is ProjectionError {
  return err instanceof ProjectionError;
}
