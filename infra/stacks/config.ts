/**
 * Deploy-time settings, read from CDK context (`-c name=value` or cdk.json) and then from the
 * environment. Nothing here is looked up in an AWS account, so `npm run synth` works offline.
 */
import type { Node } from 'constructs';
import { parseCorsOrigins } from '../../functions/http/cors';

export interface PanelConfig {
  /** Where Cognito e-mails the operator's one-time password; no bootstrap user without it. */
  operatorEmail?: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** The SES identity the product sends from (MAIL_FROM); no SES permission without it. */
  mailFrom?: string;
  /** Minimum password length, enforced by the app (PASSWORD_MIN_LENGTH) and by the user pool. */
  passwordMinLength: number;
  /** Lifetime of the ID token login returns (TOKEN_TTL_SECONDS), 300..86400. */
  tokenTtlSeconds: number;
  logRetentionDays: number;
  /** Default stage throttling: steady requests per second and burst. */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** POST /auth/login's own, tighter throttling (the whole stage's, not per address: docs/security.md). */
  loginRateLimit: number;
  loginBurstLimit: number;
  /** Cognito Plus feature plan with threat protection enforced (costs per monthly active user). */
  threatProtection: boolean;
  /**
   * The prefix of the user pool's Cognito domain (https://<prefix>.auth.<region>.amazoncognito.com),
   * whose /oauth2/token issues API clients' tokens. Unique per region; default reseller-panel-<account>.
   */
  cognitoDomainPrefix?: string;
  /** Managed instances the product may provision carry this tag (key = value). */
  hostingTagKey: string;
  hostingTagValue: string;
  /** Origins whose browser pages may call the API (API Gateway corsPreflight); none: no CORS. */
  corsOrigins: string[];
}

export const DEFAULT_CONFIG: PanelConfig = {
  passwordMinLength: 12,
  tokenTtlSeconds: 3600,
  logRetentionDays: 90,
  apiRateLimit: 50,
  apiBurstLimit: 100,
  loginRateLimit: 10,
  loginBurstLimit: 20,
  threatProtection: false,
  hostingTagKey: 'reseller-panel:role',
  hostingTagValue: 'hosting',
  corsOrigins: [],
};

type Source = (contextKey: string, envKey: string) => string | undefined;

function sourceFrom(node: Node, env: Record<string, string | undefined>): Source {
  return (contextKey, envKey) => {
    const c = node.tryGetContext(contextKey);
    if (c !== undefined && c !== null && c !== '') return String(c);
    const e = env[envKey];
    return e === undefined || e === '' ? undefined : e;
  };
}

function int(raw: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return n;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
function email(raw: string | undefined, name: string): string | undefined {
  if (raw !== undefined && !EMAIL.test(raw)) throw new Error(`${name} must be an e-mail address, got ${raw}`);
  return raw;
}

/** Cognito's rule for a domain prefix: lower-case letters, digits and hyphens, and not a reserved word. */
function domainPrefix(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(raw) || /aws|amazon|cognito/.test(raw)) {
    throw new Error(`cognitoDomainPrefix must be 1-63 lower-case letters, digits and hyphens without aws, amazon or cognito, got ${raw}`);
  }
  return raw;
}

/** Context names: operatorEmail, alarmEmail, mailFrom, passwordMinLength, tokenTtlSeconds,
 * logRetentionDays, apiRateLimit, apiBurstLimit, threatProtection, cognitoDomainPrefix, hostingTagKey, hostingTagValue,
 * corsOrigins (comma-separated);
 * environment names: the same in UPPER_SNAKE_CASE (OPERATOR_EMAIL, MAIL_FROM, ...). */
export function readConfig(node: Node, env: Record<string, string | undefined> = process.env): PanelConfig {
  const get = sourceFrom(node, env);
  const d = DEFAULT_CONFIG;
  const config: PanelConfig = {
    operatorEmail: email(get('operatorEmail', 'OPERATOR_EMAIL'), 'operatorEmail'),
    alarmEmail: email(get('alarmEmail', 'ALARM_EMAIL'), 'alarmEmail'),
    mailFrom: email(get('mailFrom', 'MAIL_FROM'), 'mailFrom'),
    passwordMinLength: int(get('passwordMinLength', 'PASSWORD_MIN_LENGTH'), d.passwordMinLength, 'passwordMinLength', 8, 99),
    tokenTtlSeconds: int(get('tokenTtlSeconds', 'TOKEN_TTL_SECONDS'), d.tokenTtlSeconds, 'tokenTtlSeconds', 300, 86400),
    logRetentionDays: int(get('logRetentionDays', 'LOG_RETENTION_DAYS'), d.logRetentionDays, 'logRetentionDays', 1, 3653),
    apiRateLimit: int(get('apiRateLimit', 'API_RATE_LIMIT'), d.apiRateLimit, 'apiRateLimit', 1, 10000),
    apiBurstLimit: int(get('apiBurstLimit', 'API_BURST_LIMIT'), d.apiBurstLimit, 'apiBurstLimit', 1, 5000),
    loginRateLimit: int(get('loginRateLimit', 'LOGIN_RATE_LIMIT'), d.loginRateLimit, 'loginRateLimit', 1, 1000),
    loginBurstLimit: int(get('loginBurstLimit', 'LOGIN_BURST_LIMIT'), d.loginBurstLimit, 'loginBurstLimit', 1, 1000),
    threatProtection: ['true', '1', 'yes'].includes(String(get('threatProtection', 'THREAT_PROTECTION') ?? 'false').toLowerCase()),
    cognitoDomainPrefix: domainPrefix(get('cognitoDomainPrefix', 'COGNITO_DOMAIN_PREFIX')),
    hostingTagKey: get('hostingTagKey', 'HOSTING_TAG_KEY') ?? d.hostingTagKey,
    hostingTagValue: get('hostingTagValue', 'HOSTING_TAG_VALUE') ?? d.hostingTagValue,
    corsOrigins: parseCorsOrigins(get('corsOrigins', 'CORS_ORIGINS'), 'corsOrigins'),
  };
  return config;
}
