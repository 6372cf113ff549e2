import type { ZodError, core } from 'zod';
import { DomainError, ERROR_CODES, InsufficientScopeError, TooManyAttemptsError, type ErrorCode, type FieldErrors } from '../../shared/domain/errors';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors; requestId?: string };
}

/** A request error raised by the edge itself (bad JSON, unknown route, missing token). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
  }
}

/** zod issue paths as `limits.storageMb`, with `prefix` naming the request part (body fields are bare). */
export function fieldsFromZod(error: ZodError, prefix: string): FieldErrors {
  const fields: FieldErrors = {};
  const put = (path: string, reason: string) => {
    fields[path] ??= reason;
  };
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of (issue as core.$ZodIssueUnrecognizedKeys).keys) put(base ? `${base}.${key}` : key, 'is not a known field');
    } else {
      put(base || prefix || 'body', issue.message);
    }
  }
  return fields;
}

/** Maps anything thrown to a status and a body; 5xx bodies never carry details. */
export function toErrorResponse(err: unknown, requestId?: string): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, fields: err.fields } } };
  }
  if (err instanceof DomainError) {
    const status = ERROR_CODES[err.code].status;
    const headers: Record<string, string> | undefined =
      err instanceof TooManyAttemptsError
        ? { 'retry-after': String(err.retryAfterSeconds) }
        : err.code === 'IDEMPOTENCY_IN_PROGRESS'
          ? { 'retry-after': '1' }
          : err instanceof InsufficientScopeError
            ? { 'www-authenticate': `Bearer error="insufficient_scope", scope="${err.scope}"` } // RFC 6750 §3.1
          : undefined;
    return { status, body: { error: { code: err.code, message: err.message, fields: err.fields } }, headers };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error; quote the request id to the operator', requestId } },
  };
}
