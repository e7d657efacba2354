// The control plane's database failures in the error shape: conflicts the
// caller can resolve (409), values the schema refuses (400), a database that
// cannot be reached (503). The rest of the mapping is shared (core/http/error-handler.ts).
import {
  CheckConstraintViolationException,
  ConnectionException,
  DriverException,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { errorBody, isConnectionFailure, type ErrorBody } from '../../core/http/error-handler.ts';

export function ormErrors(err: unknown): ErrorBody | null {
  if (err instanceof OptimisticLockError) return errorBody(409, 'CONFLICT', 'the record was changed by someone else; reload and retry');
  if (err instanceof UniqueConstraintViolationException) return errorBody(409, 'CONFLICT', 'already exists');
  if (err instanceof ForeignKeyConstraintViolationException) return errorBody(409, 'CONFLICT', 'refers to or is referred to by another record');
  if (err instanceof CheckConstraintViolationException || err instanceof NotNullConstraintViolationException) {
    return errorBody(400, 'VALIDATION_FAILED', 'invalid value');
  }
  if (err instanceof ConnectionException || isConnectionFailure(err)) return errorBody(503, 'UNAVAILABLE', 'a backing service is unavailable');
  if (err instanceof DriverException) return errorBody(500, 'INTERNAL', 'internal error');
  return null;
}
