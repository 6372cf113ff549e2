/**
 * Domain errors. Use cases throw these; the HTTP edge maps them to status codes
 * (functions/http/errors.ts). Anything else becomes an opaque 500.
 */
export type FieldErrors = Record<string, string>;

/**
 * The error codes the API answers with, in one place (the HTTP edge maps them to statuses in
 * functions/http/errors.ts). Use these constants, never a bare string.
 */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  CREDIT_LIMIT: 'CREDIT_LIMIT',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  HARD_LIMIT: 'HARD_LIMIT',
  /** A race lost even after the unit of work's retries: read again and repeat (409). */
  CONCURRENT_CHANGE: 'CONCURRENT_CHANGE',
  /** A reference (payment, adjustment) used before with different content (409). */
  REFERENCE_REUSED: 'REFERENCE_REUSED',
  TOO_MANY_CHANGES: 'TOO_MANY_CHANGES',
  TOO_MANY_SKINS: 'TOO_MANY_SKINS',
  SKIN_EXISTS: 'SKIN_EXISTS',
  SKIN_IN_USE: 'SKIN_IN_USE',
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  DOMAIN_TAKEN: 'DOMAIN_TAKEN',
  IP_TAKEN: 'IP_TAKEN',
  IP_ASSIGNED: 'IP_ASSIGNED',
  IP_UNAVAILABLE: 'IP_UNAVAILABLE',
  SERVER_EXISTS: 'SERVER_EXISTS',
  SERVER_FULL: 'SERVER_FULL',
  ALREADY_SUBSCRIBED: 'ALREADY_SUBSCRIBED',
  NO_CHANGE: 'NO_CHANGE',
  NO_EXCLUSIVE_IP: 'NO_EXCLUSIVE_IP',
  SSL_SERVICE_OFF: 'SSL_SERVICE_OFF',
  NEW_PASSWORD_REQUIRED: 'NEW_PASSWORD_REQUIRED',
} as const;
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, readonly fields?: FieldErrors) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid (400). `fields` names each bad field by its path, e.g. `limits.storageMb`. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
  static field(field: string, reason: string): ValidationError {
    return new ValidationError(`${field}: ${reason}`, { [field]: reason });
  }
}

/** Missing, or owned by another tenant: both answer the same 404. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

/** A state conflict such as a taken name (409). */
export class ConflictError extends DomainError {
  readonly code: string;
  constructor(message: string, code = 'CONFLICT', fields?: FieldErrors) {
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
  readonly code = 'FORBIDDEN';
}

/** Bad or missing credentials (401). */
export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

/** A purchase that the balance and credit limit do not cover (402). */
export class PaymentRequiredError extends DomainError {
  readonly code = 'CREDIT_LIMIT';
}

/** Too many sign-in attempts for a username or an address (429, Retry-After). */
export class TooManyAttemptsError extends DomainError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** The caller's reseller account is locked by the operator: refused whatever token it carries (403). */
export class AccountLockedError extends DomainError {
  readonly code = 'ACCOUNT_LOCKED';
}
