/**
 * Domain errors. Use cases throw these; the HTTP edge maps them to status codes
 * (functions/http/errors.ts). Anything else becomes an opaque 500.
 */
export type FieldErrors = Record<string, string>;

/**
 * The one catalogue of error codes: every `error.code` the API answers with is a key here, with its
 * HTTP status. /openapi.json lists, per error status, the codes of that status as an enum; a code
 * not in here does not type-check.
 */
export const ERROR_CODES = {
  VALIDATION: { status: 400, meaning: 'a field is malformed or missing; `fields` names each one' },
  UNAUTHORIZED: { status: 401, meaning: 'no valid token, or wrong credentials' },
  CREDIT_LIMIT: { status: 402, meaning: 'the balance and credit limit do not cover the purchase or the resumed period' },
  FORBIDDEN: { status: 403, meaning: 'the caller may not do this' },
  ACCOUNT_LOCKED: { status: 403, meaning: 'the account is locked' },
  INSUFFICIENT_SCOPE: { status: 403, meaning: "the API client's token lacks the scope the route needs; `fields.scope` names it" },
  NOT_FOUND: { status: 404, meaning: 'no such resource (or it belongs to another reseller), or no such route' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'the path exists, the method does not' },
  CONFLICT: { status: 409, meaning: 'the request conflicts with the current state' },
  HARD_LIMIT: { status: 409, meaning: "the change would go past the operator's hard limit" },
  BUSY: { status: 409, meaning: 'too many concurrent changes; try again' },
  CONCURRENT_CHANGE: { status: 409, meaning: 'the resource changed meanwhile; reload and try again' },
  STALE: { status: 409, meaning: 'the resource changed since it was read; read it again' },
  NO_CHANGE: { status: 409, meaning: 'the resource is already in that state' },
  REFERENCE_REUSED: { status: 409, meaning: 'a payment or adjustment reference used before with different content' },
  NEW_PASSWORD_REQUIRED: { status: 409, meaning: 'a one-time password: send it again with newPassword' },
  USERNAME_TAKEN: { status: 409, meaning: 'the username is taken' },
  DOMAIN_TAKEN: { status: 409, meaning: 'the domain is in use' },
  IP_TAKEN: { status: 409, meaning: 'the address is given to another reseller' },
  IP_ASSIGNED: { status: 409, meaning: 'the address is assigned to a user' },
  IP_UNAVAILABLE: { status: 409, meaning: 'the address is not free in your pool' },
  NO_EXCLUSIVE_IP: { status: 409, meaning: 'the user has no exclusive IP address' },
  SSL_SERVICE_OFF: { status: 409, meaning: 'the SSL service is off for the user' },
  ALREADY_SUBSCRIBED: { status: 409, meaning: 'the user already has a billing account' },
  SERVER_EXISTS: { status: 409, meaning: 'a server with that id exists' },
  SERVER_FULL: { status: 409, meaning: 'the chosen server has no free capacity' },
  NO_SERVER: { status: 409, meaning: 'no hosting server with free capacity serves the reseller' },
  SKIN_EXISTS: { status: 409, meaning: 'a skin with that name exists' },
  SKIN_IN_USE: { status: 409, meaning: 'users wear the skin (the message names how many) or it is your default design' },
  TOO_MANY_SKINS: { status: 409, meaning: 'the skin limit is reached' },
  TOO_MANY_CHANGES: { status: 409, meaning: 'too many changes in one request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, meaning: 'a request with the same Idempotency-Key is still in progress; retry later' },
  TOO_MANY_CLIENTS: { status: 409, meaning: 'the reseller has as many API clients as it may have; revoke one first' },
  TOO_MANY_WEBHOOKS: { status: 409, meaning: 'the reseller has the most webhook endpoints allowed' },
  DELIVERY_IN_PROGRESS: { status: 409, meaning: 'the webhook delivery is still being attempted; replay it once it succeeded or failed' },
  TOO_LARGE: { status: 413, meaning: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the request body must be application/json' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, meaning: 'the Idempotency-Key was used for another request (other body, route or parameters) in the last 24 hours' },
  TOO_MANY_ATTEMPTS: { status: 429, meaning: 'too many sign-in attempts; wait for Retry-After seconds' },
  INTERNAL: { status: 500, meaning: 'an internal error; quote the request id' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes by name (`ErrorCode.CONFLICT`), for code that names one: never a bare string. */
export const ErrorCode = Object.fromEntries(Object.keys(ERROR_CODES).map((c) => [c, c])) as { readonly [K in ErrorCode]: K };
export type ErrorCodeName = ErrorCode;
type CodeOfStatus<S extends number> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['status'] extends S ? K : never }[ErrorCode];
/** The codes a ConflictError may carry. */
export type ConflictCode = CodeOfStatus<409>;

/** The codes of one status, e.g. 409 → CONFLICT, HARD_LIMIT, ... (the enum of that response in /openapi.json). */
export function codesOfStatus(status: number): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => ERROR_CODES[c].status === status);
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, readonly fields?: FieldErrors) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid (400). `fields` names each bad field by its path, e.g. `limits.storageMb`. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION' as const;
  static field(field: string, reason: string): ValidationError {
    return new ValidationError(`${field}: ${reason}`, { [field]: reason });
  }
}

/** Missing, or owned by another tenant: both answer the same 404. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
}

/** A state conflict such as a taken name (409). */
export class ConflictError extends DomainError {
  readonly code: ConflictCode;
  constructor(message: string, code: ConflictCode = 'CONFLICT', fields?: FieldErrors) {
    super(message, fields);
    this.code = code;
  }
}

/** A race lost after the unit of work's retries (409 CONCURRENT_CHANGE): nothing was written. */
export class ConcurrentChangeError extends ConflictError {
  constructor(message = 'the data changed meanwhile; read it again and repeat the request', fields?: FieldErrors) {
    super(message, ErrorCode.CONCURRENT_CHANGE, fields);
  }
}

/** A request that would go past an operator's hard limit (409 HARD_LIMIT). */
export class HardLimitError extends ConflictError {
  constructor(message: string, fields?: FieldErrors) {
    super(message, 'HARD_LIMIT', fields);
  }
}

/** The caller is authenticated but may not do this (403). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
}

/** Bad or missing credentials (401). */
export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED' as const;
}

/** A purchase or resumption that the balance and credit limit do not cover (402). */
export class PaymentRequiredError extends DomainError {
  readonly code = 'CREDIT_LIMIT' as const;
}

/** Too many sign-in attempts for a username or an address (429, Retry-After). */
export class TooManyAttemptsError extends DomainError {
  readonly code = 'TOO_MANY_ATTEMPTS' as const;
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** The Idempotency-Key of an earlier, different request (422 IDEMPOTENCY_KEY_REUSED): nothing was done. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED' as const;
}

/** The caller's reseller account is locked by the operator: refused whatever token it carries (403). */
export class AccountLockedError extends DomainError {
  readonly code = 'ACCOUNT_LOCKED' as const;
}

/** An API client's token without a scope the route needs (403 INSUFFICIENT_SCOPE, `fields.scope` names it). */
export class InsufficientScopeError extends DomainError {
  readonly code = 'INSUFFICIENT_SCOPE' as const;
  constructor(readonly scope: string, message = `this route needs the scope ${scope}, which the token does not hold`) {
    super(message, { scope });
  }
}
