import { DEFAULT_LAMBDA, HTTP_LAMBDAS } from '../functions/http/lambdas';
import { QUEUES } from './queues-manifest';

/**
 * The Lambda functions of the product, as data. The CDK stack builds one NodejsFunction per entry
 * (same bundling for all, see infra/stacks/bundling.ts), grants exactly what `needs` lists and, for
 * entries with a `schedule`, creates an EventBridge Scheduler schedule that invokes it. bench/bundles.ts
 * bundles every entry the way the stack does and measures it.
 *
 * Adding a job: write functions/jobs/<name>.ts exporting `handler`, then add an entry here, e.g.
 *   { name: 'billing-close', entry: 'functions/jobs/billing-close.ts', handler: 'handler',
 *     memoryMb: 512, timeoutSeconds: 300, needs: ['table:read', 'table:write', 'ses:send'],
 *     schedule: { expression: 'cron(15 0 * * ? *)', description: 'Close billing periods daily' } }
 * and nothing else: grants, log group, alarms and the schedule follow from the entry.
 */

/** What a function may do, mapped to least-privilege IAM statements by the stack. */
export type FunctionNeed =
  /** GetItem, BatchGetItem, Query (table + GSI1), restricted to the key prefixes of keys.ts. */
  | 'table:read'
  /** PutItem, UpdateItem, DeleteItem, ConditionCheckItem (what TransactWriteItems needs), same restriction. */
  | 'table:write'
  /** cognito-idp Admin* actions the Cognito identity adapter calls, on the user pool only. */
  | 'cognito:admin'
  /** cognito-idp:CreateUserPoolClient/DeleteUserPoolClient on the user pool only (API clients as app clients). */
  | 'cognito:clients'
  /** kms:Encrypt/Decrypt/GenerateDataKey on the product's data key (hosted users' SSL private keys). */
  | 'kms:data-key'
  /** ses:SendEmail from the configured MAIL_FROM identity through the configuration set (infra/stacks/mail-events.ts); gets SES_CONFIGURATION_SET. */
  | 'ses:send'
  /** ssm:SendCommand of the provisioning document to the product's tagged managed instances. */
  | 'ssm:provision'
  /** ssm:PutParameter/DeleteParameter of hosted users' private keys under the key store path (infra/stacks/ssl-key-store.ts). */
  | 'ssm:ssl-keys';

export interface FunctionSchedule {
  /** An EventBridge Scheduler expression: `cron(...)`, `rate(...)` or `at(...)`. */
  expression: string;
  /** IANA time zone of a cron expression; default UTC. */
  timeZone?: string;
  description: string;
  /** JSON the job receives as its event; default `{ "source": "schedule", "job": <name> }`. */
  input?: Record<string, unknown>;
}

export interface FunctionSpec {
  /** Short kebab-case name: construct ids, log group and alarm names derive from it. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  /** The exported handler function of the entry. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  needs: readonly FunctionNeed[];
  /** Invoked by EventBridge Scheduler when set. */
  schedule?: FunctionSchedule;
  /**
   * Work queues (infra/queues-manifest.ts) this function enqueues to: it gets sqs:SendMessage on
   * exactly these and their URLs as QUEUE_URL_<NAME>. Consuming a queue is said in the queue catalogue.
   */
  sends?: readonly string[];
  /** Extra environment beyond what the stack sets for every function. */
  environment?: Record<string, string>;
  /**
   * Behind the HTTP API (functions/http/lambdas.ts): 'routes' serves the route keys of its group,
   * 'proxy' those of its group and ANY /{proxy+} (exactly one function). The function's name is the group's.
   */
  api?: 'proxy' | 'routes';
  /** Files rendered at synth and shipped beside the bundle (infra/stacks/function-files.ts). */
  files?: FunctionFiles;
}

/** Kinds of files a bundle can carry (infra/stacks/function-files.ts renders them). */
export type FunctionFiles = 'openapi';

/**
 * One function per route group of functions/http/lambdas.ts (entry functions/http/lambdas/<name>.ts):
 * API Gateway sends each route of the table to the function of its group; the default group `api`
 * also takes ANY /{proxy+} (unknown routes answer 404 in the API's error format).
 */
const HTTP_FUNCTIONS: FunctionSpec[] = Object.entries(HTTP_LAMBDAS).map(([name, group]) => ({
  name,
  entry: `functions/http/lambdas/${name}.ts`,
  handler: 'handler',
  memoryMb: 1024,
  timeoutSeconds: 29,
  needs: group.needs,
  ...('sends' in group ? { sends: group.sends } : {}),
  ...('files' in group ? { files: group.files } : {}),
  api: name === DEFAULT_LAMBDA ? 'proxy' : 'routes',
}));

const mailSend = QUEUES.find((q) => q.name === 'mail-send');

export const FUNCTIONS: readonly FunctionSpec[] = [
  ...HTTP_FUNCTIONS,
  // The HTTP API's token check on AWS (a Lambda REQUEST authorizer: functions/http/authorizer.ts):
  // Cognito ID tokens of the console client and access tokens of API clients. No AWS permission.
  {
    name: 'authorizer',
    entry: 'functions/http/authorizer.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 10,
    needs: [],
  },
  {
    name: 'provisioning-fanout',
    entry: 'functions/jobs/provisioning-fanout.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 60,
    needs: ['table:read', 'table:write'],
    sends: ['provisioning-fanout'],
  },
  // Mail (docs/mail.md): the consumers of the mail queues and the handler of SES's events.
  {
    name: 'mail-fanout',
    entry: 'functions/jobs/mail-fanout.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 60,
    needs: ['table:read', 'table:write'],
    sends: ['mail-fanout', 'mail-send', 'webhook-fanout'],
  },
  {
    name: 'mail-send',
    entry: 'functions/jobs/mail-send.ts',
    handler: 'handler',
    memoryMb: 512,
    // Longer than a claim's lease (MAIL_CLAIM_LEASE_SECONDS, 60): harmless, because a sender calls
    // SES only while the call (5 s request timeout) ends inside its own lease, else it gives the claim
    // back. So no call is in flight once a lease has run out; an instance stopped at this timeout
    // leaves its claims in doubt, resolved without sending twice (docs/mail.md).
    timeoutSeconds: 120,
    needs: ['table:read', 'table:write', 'ses:send', 'kms:data-key'],
    sends: ['mail-send', 'webhook-fanout'],
    // Each instance paces itself to MAIL_SEND_RATE / this (the event source mapping's maximum concurrency).
    environment: { MAIL_SEND_PROCESSES: String(mailSend?.maxConcurrency ?? 2) },
  },
  {
    name: 'ses-events',
    entry: 'functions/events/ses-events.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: ['table:read', 'table:write'],
  },
  // Webhooks (docs/webhooks.md): the fan-out and attempt consumers, and the sweeper of unannounced events.
  {
    name: 'webhook-fanout',
    entry: 'functions/jobs/webhook-fanout.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: ['table:read', 'table:write'],
    sends: ['webhook-deliver'],
  },
  {
    name: 'webhook-deliver',
    entry: 'functions/jobs/webhook-deliver.ts',
    handler: 'handler',
    memoryMb: 256,
    // One batch of attempts in parallel, each within its timeout (WEBHOOK_TIMEOUT_SECONDS, 15 s).
    timeoutSeconds: 60,
    needs: ['table:read', 'table:write', 'kms:data-key'],
    sends: ['webhook-deliver'],
  },
  {
    name: 'webhook-sweep',
    entry: 'functions/jobs/webhook-sweep.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: ['table:read'],
    sends: ['webhook-fanout'],
    schedule: {
      expression: 'rate(1 minute)',
      description: 'Fan out webhook events whose announcement after their commit was lost',
    },
  },
  // The daily usage run (docs/billing.md "Usage feed"): the schedule starts the run of the day and
  // enqueues its planning message; the collector asks each server (one SSM command) and the run's
  // last server sends `{ day }` to billing-plan: billing starts when the day's usage is complete.
  // First in the manifest: the local scheduler runs a day's jobs in this order (and waits for the run).
  {
    name: 'usage-daily',
    entry: 'functions/jobs/usage-daily.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: ['table:read', 'table:write'],
    sends: ['usage-collect'],
    schedule: {
      expression: 'cron(5 0 * * ? *)',
      description: "Start the day's usage run: every server's usage report of the day before, collected through the usage-collect queue; billing follows when it is complete",
      input: { scheduledTime: '<aws.scheduler.scheduled-time>' },
    },
  },
  {
    name: 'usage-collector',
    entry: 'functions/jobs/usage-collector.ts',
    handler: 'handler',
    memoryMb: 1024,
    // A report waits up to PROVISION_TIMEOUT_MS (240 s) for its SSM command; the queue's visibility
    // timeout (360 s) is longer than this.
    timeoutSeconds: 300,
    needs: ['table:read', 'table:write', 'ssm:provision'],
    sends: ['usage-collect', 'billing-plan'],
  },
  // The daily billing run: started by the usage run once the day's usage is complete (above); this
  // schedule is only the fallback at 02:00 UTC, for a day whose usage run never finished (its
  // schedule failed, a server message is stuck): it sends the same `{ day }`, a second planner for a
  // day adds nothing (docs/background-work.md "Billing run", docs/billing.md "Usage feed").
  {
    name: 'billing-daily',
    entry: 'functions/jobs/billing-daily.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 30,
    // Reads only whether anything is due that day (a day with nothing due has no run).
    needs: ['table:read'],
    sends: ['billing-plan'],
    schedule: {
      expression: 'cron(0 2 * * ? *)',
      description: "Fallback start of the day's billing run (normally started when the usage run completes): close usage windows and billing periods, open new periods, write the finished days to the ledger",
      input: { scheduledTime: '<aws.scheduler.scheduled-time>' },
    },
  },
  {
    name: 'billing-planner',
    entry: 'functions/jobs/billing-planner.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 60,
    needs: ['table:read', 'table:write'],
    sends: ['billing-plan', 'billing'],
  },
  {
    name: 'billing-worker',
    entry: 'functions/jobs/billing-worker.ts',
    handler: 'handler',
    memoryMb: 1024,
    timeoutSeconds: 120,
    needs: ['table:read', 'table:write'],
    sends: ['billing'],
  },
  {
    name: 'billing-check',
    entry: 'functions/jobs/billing-check.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: ['table:read'],
    schedule: {
      expression: 'cron(0 3 * * ? *)',
      description: 'Publish AccountsNotBilled: accounts due up to today that the billing runs have not brought there (alarmed when above 0)',
      input: { scheduledTime: '<aws.scheduler.scheduled-time>' },
    },
  },
  {
    name: 'provisioning-worker',
    entry: 'functions/jobs/provisioning-worker.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 900,
    // kms:data-key + ssm:ssl-keys: a certificate stored before the key store gets its parameter on its first push.
    needs: ['table:read', 'table:write', 'ssm:provision', 'kms:data-key', 'ssm:ssl-keys'],
    // No queue: the SQS client would take the bundle over 600 KB. Its webhook events (user.provisioned,
    // user.provisioning_failed) are announced by webhook-sweep, a minute or so later (docs/webhooks.md).
    schedule: {
      expression: 'rate(1 minute)',
      description: "Push pending and due-again hosted users' desired state to their servers (SSM Run Command)",
    },
  },
];
