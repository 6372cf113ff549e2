/** The names the control panel knows: limits (numeric resources) and services (switches). */
export const RESOURCE_NAMES = [
  'storageMb',
  'pop3Boxes',
  'emailAddresses',
  'autoresponders',
  'ftpUsers',
  'trafficGb',
  'subdomains',
  'mysqlDatabases',
  'wildcardSubdomains',
  'atDomains',
  'cronjobs',
  'mailingLists',
] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** What an operator limits for a reseller: every resource plus the number of hosted users. */
export const RESELLER_LIMIT_NAMES = [...RESOURCE_NAMES, 'users'] as const;
export type ResellerLimitName = (typeof RESELLER_LIMIT_NAMES)[number];

export const BOOLEAN_SERVICE_NAMES = [
  'ftp',
  'php',
  'ssi',
  'phpUpload',
  'wap',
  'ssl',
  'directoryListing',
  'cgi',
  'python',
  'shell',
  'coldfusion',
  'webalizer',
  'passwordProtection',
  'errorFiles',
  'webftp',
  'webmail',
  'standardCgi',
  'spamFilter',
] as const;
export type BooleanServiceName = (typeof BOOLEAN_SERVICE_NAMES)[number];

export const BACKUP_MODES = ['no', 'yes', 'upload'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

export const SERVICE_NAMES = [...BOOLEAN_SERVICE_NAMES, 'backup'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Traffic can always be exceeded (the seed): it never takes a hard limit. */
export const NEVER_HARD_LIMITED: readonly ResellerLimitName[] = ['trafficGb'];

/** A limit value: -1 unlimited, 0 not available, N at most N. */
export const UNLIMITED = -1;
