// Domain errors carry their HTTP status and stable code (docs/http.md#errors).
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new ApiError(400, 'VALIDATION_FAILED', message, details);
export const unauthenticated = (message = 'authentication required') => new ApiError(401, 'UNAUTHENTICATED', message);
export const forbidden = (code = 'FORBIDDEN', message = 'not allowed', details?: Record<string, unknown>) =>
  new ApiError(403, code, message, details);
export const notFound = (what = 'resource') => new ApiError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (code = 'CONFLICT', message = 'conflict') => new ApiError(409, code, message);
