/**
 * The whole product on AWS in one stack: table, user pool, HTTP API, Lambda functions from
 * infra/functions-manifest.ts, schedules, the provisioning SSM document, the data key, alarms.
 *
 * Environment-agnostic on purpose (no account/region, no lookups) so `npm run synth` works offline.
 * Every cdk-nag acknowledgement sits next to the resource it is about, with its reason; docs/deploy.md
 * lists them all.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { RESOURCE_SERVER, SCOPE_NAMES, SCOPES } from '../../shared/domain/scopes';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/adapters/dynamodb/keys';
import { CLAIMS } from '../../shared/adapters/claims';
import { loginItem } from '../../shared/adapters/dynamodb/login-store';
import { provisionDocumentContent, readProvisionScript } from '../provisioning/ssm-document';
import { FUNCTIONS, type FunctionNeed, type FunctionSpec } from '../functions-manifest';
import { ROUTES } from '../../functions/http/routes';
import { lambdaOf } from '../../functions/http/lambdas';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS } from '../../functions/http/cors';
import { BUNDLE_RUNTIME_ENV, nodejsBundlingOptions } from './bundling';
import { stageFunctionFiles } from './function-files';
import { DEFAULT_CONFIG, type PanelConfig } from './config';
import { leadingKeyPatterns } from './table-access';
import { BackgroundWork } from './background-work';
import { WebConsole } from './console';
import { METRIC_ALARMS } from '../metric-alarms';
import { QUEUES, type QueueSpec } from '../queues-manifest';
import { SslKeyStore } from './ssl-key-store';
import { MailEvents } from './mail-events';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * One route key per route of the table, to the function of its group (functions/http/lambdas.ts);
 * 'public' routes answer without a token, the others sit behind the JWT authorizer.
 */
export const API_ROUTES = ROUTES.map((r) => ({
  method: r.method as apigwv2.HttpMethod,
  path: r.path,
  lambda: lambdaOf(r),
  public: r.access === 'public',
}));
/** Route keys that answer without a token: the route table's 'public' routes. */
export const PUBLIC_ROUTES = API_ROUTES.filter((r) => r.public);

export const GROUPS = ['operator', 'reseller'] as const;

/** What the table statements allow. TransactWriteItems needs the per-item actions it performs. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
/** Exactly the commands shared/adapters/cognito/cognito-identity.ts sends (a test keeps them in step). */
export const COGNITO_ADMIN_ACTIONS = [
  'cognito-idp:AdminInitiateAuth',
  'cognito-idp:AdminRespondToAuthChallenge',
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
];

/** Exactly the commands shared/adapters/cognito/cognito-api-clients.ts sends (a test keeps them in step). */
export const COGNITO_CLIENT_ACTIONS = ['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient'];

export interface ResellerPanelStackProps extends StackProps {
  config?: Partial<PanelConfig>;
  /** The Lambda functions; default infra/functions-manifest.ts (tests pass fixtures). */
  functions?: readonly FunctionSpec[];
  /** The work queues; default infra/queues-manifest.ts (tests pass fixtures). */
  queues?: readonly QueueSpec[];
}

function pascal(name: string): string {
  return name.replace(/(^|[-_\s]+)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
}

function ack(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export class ResellerPanelStack extends Stack {
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** API clients' scopes (shared/domain/scopes.ts): the app clients the identity function creates get them. */
  readonly apiResourceServer: cognito.UserPoolResourceServer;
  /** The Cognito domain whose /oauth2/token issues API clients' tokens (client credentials). */
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly httpApi: apigwv2.HttpApi;
  readonly dataKey: kms.Key;
  readonly alarmTopic: sns.Topic;
  readonly functions = new Map<string, NodejsFunction>();
  readonly scheduleDeadLetters: sqs.Queue;
  readonly provisionOutput: logs.LogGroup;
  readonly provisionDocument: ssm.CfnDocument;
  /** Work queues, their dead letters and consumers, failure destinations, background alarms. */
  readonly backgroundWork: BackgroundWork;
  /** Hosted users' private keys for the servers (Parameter Store). */
  readonly sslKeys: SslKeyStore;
  /** SES configuration set, its events' topic and their handler (docs/mail.md). */
  readonly mailEvents: MailEvents;

  constructor(scope: Construct, id: string, props: ResellerPanelStackProps = {}) {
    super(scope, id, props);
    const config: PanelConfig = { ...DEFAULT_CONFIG, ...props.config };
    if (!Object.values(logs.RetentionDays).includes(config.logRetentionDays)) {
      throw new Error(`logRetentionDays must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...), got ${config.logRetentionDays}`);
    }
    const specs = props.functions ?? FUNCTIONS;
    const apiSpecs = specs.filter((s) => s.api === 'proxy');
    if (apiSpecs.length !== 1) throw new Error(`the manifest must mark exactly one function as the api proxy (found ${apiSpecs.length})`);

    // ---------------------------------------------------------------- data
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.gsi1.indexName,
      partitionKey: { name: TABLE.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    /** Hosted users' SSL private keys are encrypted with this key before they reach the table. */
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Reseller panel: encrypts hosted users\' SSL private keys at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------- identity
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: false, mutable: true } },
      customAttributes: {
        // Set once by AdminCreateUser when a reseller is created; read as the custom:resellerId claim.
        [CLAIMS.resellerId.replace(/^custom:/, '')]: new cognito.StringAttribute({ mutable: false, minLen: 1, maxLen: 64 }),
      },
      passwordPolicy: {
        minLength: config.passwordMinLength,
        requireLowercase: false,
        requireUppercase: false,
        requireDigits: false,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: cognito.Mfa.OFF,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'Your reseller panel operator account',
        emailBody:
          'The reseller panel was deployed. Sign in as {username} with the one-time password {####} ' +
          '(valid for 7 days) and choose your own password.',
      },
      featurePlan: config.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(config.threatProtection ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ack(
      this.userPool,
      'AwsSolutions-COG1',
      'Length, not composition: NIST SP 800-63B. The pool requires at least passwordMinLength (default 12) characters and no character classes; the application checks the same length (PASSWORD_MIN_LENGTH) plus its own rules (not the username, not one repeated character).',
    );
    ack(
      this.userPool,
      'AwsSolutions-COG2',
      'Logins go through POST /auth/login (AdminInitiateAuth, ADMIN_USER_PASSWORD_AUTH), which has no MFA challenge step yet; MFA is a planned feature of the API, not of the pool alone.',
    );
    if (!config.threatProtection) {
      ack(
        this.userPool,
        'AwsSolutions-COG3',
        'Threat protection needs the Cognito Plus feature plan, billed per monthly active user; it is one switch away (context threatProtection=true). The API throttles logins at the stage and answers wrong credentials uniformly.',
      );
      ack(
        this.userPool,
        'AwsSolutions-COG8',
        'The Plus feature plan (threat protection) is billed per monthly active user; the Essentials plan covers what the product uses. Switch with context threatProtection=true.',
      );
    }
    const groups = Object.fromEntries(
      GROUPS.map((g, i) => [
        g,
        new cognito.UserPoolGroup(this, `Group${pascal(g)}`, { userPool: this.userPool, groupName: g, precedence: i }),
      ]),
    ) as Record<(typeof GROUPS)[number], cognito.UserPoolGroup>;

    const tokenTtl = Duration.seconds(config.tokenTtlSeconds);
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { adminUserPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: tokenTtl,
      accessTokenValidity: tokenTtl,
      refreshTokenValidity: Duration.seconds(Math.max(config.tokenTtlSeconds, 3600)),
    });

    // API clients (issue 11): one app client per API client, created at run time by the identity
    // function (client_credentials only); the scopes are this resource server's, the tokens come from
    // the domain's /oauth2/token (no hosted sign-in page is used: client credentials need none).
    this.apiResourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'reseller-panel API',
      scopes: SCOPE_NAMES.map((s) => new cognito.ResourceServerScope({ scopeName: s, scopeDescription: SCOPES[s] })),
    });
    this.userPoolDomain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: config.cognitoDomainPrefix ?? `reseller-panel-${this.account}` },
    });

    // ---------------------------------------------------------------- provisioning (SSM Run Command)
    /**
     * SSM streams each command's output here; the jobs read back outputs over the 24,000 characters
     * GetCommandInvocation returns (a big server's usage report). The servers' instance role needs
     * logs:CreateLogStream and logs:PutLogEvents on it (docs/deploy.md).
     */
    this.provisionOutput = new logs.LogGroup(this, 'ProvisionOutput', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.provisionDocument = new ssm.CfnDocument(this, 'ProvisionDocument', {
      documentType: 'Command',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: provisionDocumentContent(readProvisionScript()),
    });

    this.sslKeys = new SslKeyStore(this, 'SslKeys');

    // ---------------------------------------------------------------- alarms topic, SES events
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Reseller panel alarms', enforceSSL: true });
    ack(
      this.alarmTopic,
      'AwsSolutions-SNS2',
      'Alarm notifications carry only alarm names, metrics and thresholds, no customer data. CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key here would only add cost and a key policy to maintain.',
    );
    if (config.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    this.mailEvents = new MailEvents(this, 'MailEvents', { alarmAction: new SnsAction(this.alarmTopic) });

    // ---------------------------------------------------------------- functions
    const commonEnv: Record<string, string> = {
      ...this.sslKeys.environment(),
      ...BUNDLE_RUNTIME_ENV,
      TABLE_NAME: this.table.tableName,
      IDENTITY_MODE: 'cognito',
      USER_POOL_ID: this.userPool.userPoolId,
      USER_POOL_CLIENT_ID: this.userPoolClient.userPoolClientId,
      COGNITO_DOMAIN_URL: this.userPoolDomain.baseUrl(),
      PASSWORD_MIN_LENGTH: String(config.passwordMinLength),
      TOKEN_TTL_SECONDS: String(config.tokenTtlSeconds),
      KMS_KEY_ID: this.dataKey.keyId,
      PROVISION_DOCUMENT_NAME: this.provisionDocument.ref,
      PROVISION_OUTPUT_LOG_GROUP: this.provisionOutput.logGroupName,
      HOSTING_TAG_KEY: config.hostingTagKey,
      HOSTING_TAG_VALUE: config.hostingTagValue,
      ...(config.mailFrom ? { MAIL_FROM: config.mailFrom } : {}),
    };

    /** Scheduled runs that still fail after the retries land here (and an alarm says so). */
    this.scheduleDeadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    ack(
      this.scheduleDeadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the schedules; an alarm fires on its first message.',
    );

    for (const spec of specs) {
      const fn = this.buildFunction(spec, commonEnv, config);
      this.functions.set(spec.name, fn);
      if (spec.needs.includes('ses:send')) for (const [k, v] of Object.entries(this.mailEvents.environment())) fn.addEnvironment(k, v);
      if (spec.schedule) {
        const scheduleRole = new iam.Role(this, `${pascal(spec.name)}ScheduleRole`, {
          assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
          description: `EventBridge Scheduler: invokes ${spec.name}`,
        });
        const fnLogicalId = this.getLogicalId(fn.node.defaultChild as CfnElement);
        new scheduler.Schedule(this, `${pascal(spec.name)}Schedule`, {
          description: spec.schedule.description,
          schedule: scheduler.ScheduleExpression.expression(
            spec.schedule.expression,
            TimeZone.of(spec.schedule.timeZone ?? 'UTC'),
          ),
          target: new LambdaInvoke(fn, {
            input: scheduler.ScheduleTargetInput.fromObject(spec.schedule.input ?? { source: 'schedule', job: spec.name }),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
            role: scheduleRole,
            deadLetterQueue: this.scheduleDeadLetters,
          }),
        });
        ack(
          scheduleRole.node.findChild('DefaultPolicy'),
          `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
          `LambdaInvoke grants lambda:InvokeFunction on the function and its versions/aliases (<arn>:*); the role can invoke ${spec.name} and nothing else.`,
        );
      }
    }

    const sesEvents = this.functions.get('ses-events');
    if (sesEvents) this.mailEvents.subscribe(sesEvents);

    // ---------------------------------------------------------------- HTTP API
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Reseller panel API',
      createDefaultStage: false,
      // CORS only for the configured origins (CORS_ORIGINS): API Gateway answers their preflights
      // itself, before any authorizer, and adds Access-Control-Allow-Origin to their answers. The
      // local server answers the same headers (functions/http/cors.ts).
      ...(config.corsOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: config.corsOrigins,
              allowMethods: CORS_ALLOW_METHODS.map((m) => apigwv2.CorsHttpMethod[m]),
              allowHeaders: [...CORS_ALLOW_HEADERS],
              exposeHeaders: [...CORS_EXPOSE_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
              allowCredentials: false,
            },
          }
        : {}),
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            user: specs.some((f) => f.name === 'authorizer') ? '$context.authorizer.principal' : '$context.authorizer.claims.cognito:username',
          }),
        ),
      },
    });
    // One integration (and one invoke permission for the whole API) per function; a route whose
    // group has no function in `specs` (test fixtures) goes to the proxy function.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (name: string) => {
      const spec = specs.find((s) => s.name === name && s.api) ?? apiSpecs[0]!;
      let i = integrations.get(spec.name);
      if (!i) {
        i = new HttpLambdaIntegration(`${pascal(spec.name)}Integration`, this.functions.get(spec.name)!, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
          scopePermissionToRoute: false,
        });
        integrations.set(spec.name, i);
      }
      return i;
    };
    // The token check: the authorizer function (functions/http/authorizer.ts) accepts the console's ID
    // tokens and API clients' access tokens, whose app clients are created at run time (a JWT
    // authorizer's fixed audience list could not name them). Stacks built without that function
    // (test fixtures) keep the JWT authorizer of the console's client.
    const authorizerFn = this.functions.get('authorizer');
    const authorizer = authorizerFn
      ? new HttpLambdaAuthorizer('TokenAuthorizer', authorizerFn, {
          responseTypes: [HttpLambdaResponseType.SIMPLE],
          identitySource: ['$request.header.Authorization'],
          resultsCacheTtl: Duration.minutes(5),
        })
      : new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
          userPoolClients: [this.userPoolClient],
          identitySource: ['$request.header.Authorization'],
        });
    for (const r of API_ROUTES) {
      const [route] = this.httpApi.addRoutes({
        path: r.path,
        methods: [r.method],
        integration: integrationFor(r.lambda),
        ...(r.public ? {} : { authorizer }),
      });
      if (r.method === 'POST' && r.path === '/auth/login') {
        // Sign-in gets its own, tighter limit: a credential-stuffing burst is cut at the edge before
        // it reaches Lambda (the app's per-username and per-address counters are behind it).
        const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
        cfnStage.addPropertyOverride('RouteSettings', {
          'POST /auth/login': { ThrottlingRateLimit: config.loginRateLimit, ThrottlingBurstLimit: config.loginBurstLimit },
        });
        stage.node.addDependency(route!); // route settings name a route that must exist first
      }
      if (r.public) {
        ack(
          route!,
          'AwsSolutions-APIG4',
          `${r.method} ${r.path} is public by design (docs/api: only /health, /openapi.json, POST /auth/login and POST /auth/token (OAuth client credentials in HTTP Basic) answer without a token).`,
        );
      }
    }
    // Every method but OPTIONS: an ANY route (with its authorizer) would take the CORS preflights
    // that API Gateway answers itself when no route has their method.
    this.httpApi.addRoutes({
      path: '/{proxy+}',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST, apigwv2.HttpMethod.PUT, apigwv2.HttpMethod.PATCH, apigwv2.HttpMethod.DELETE, apigwv2.HttpMethod.HEAD],
      integration: integrationFor(apiSpecs[0]!.name),
      authorizer,
    });

    // ---------------------------------------------------------------- operator bootstrap
    if (config.operatorEmail) this.bootstrapOperator(config.operatorEmail, groups.operator);

    // ---------------------------------------------------------------- alarms
    this.buildAlarms(stage);
    this.backgroundWork = new BackgroundWork(this, 'BackgroundWork', {
      queues: props.queues ?? QUEUES,
      specs,
      functions: this.functions,
      alarmAction: new SnsAction(this.alarmTopic),
      metricAlarms: METRIC_ALARMS,
    });

    // ---------------------------------------------------------------- outputs
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    // The web console (S3 + CloudFront), which also reaches the API through its own origin.
    const webConsole = new WebConsole(this, 'Console', { httpApi: this.httpApi, apiPaths: ROUTES.map((r) => r.path), distDir: path.join(REPO_ROOT, 'web', 'dist') });
    new CfnOutput(this, 'ConsoleUrl', { value: webConsole.url });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'ProvisionDocumentName', { value: this.provisionDocument.ref });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  private buildFunction(spec: FunctionSpec, commonEnv: Record<string, string>, config: PanelConfig): NodejsFunction {
    const id = pascal(spec.name);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Reseller panel function ${spec.name}`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: path.join(REPO_ROOT, spec.entry),
      handler: spec.handler,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...commonEnv, POWERTOOLS_SERVICE_NAME: `reseller-panel-${spec.name}`, ...spec.environment },
      bundling: nodejsBundlingOptions(spec.files && stageFunctionFiles(spec.files)),
      description: `Reseller panel: ${spec.name}`,
    });
    ack(
      fn,
      'AwsSolutions-L1',
      'The project pins nodejs22.x (the runtime its code, bundling target and tests are built for); moving to a newer Node.js runtime is a deliberate upgrade, not a side effect of a CDK release.',
    );
    this.grantNeeds(role, spec.needs, config);
    // tracing: Active adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the default policy.
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      ack(
        defaultPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; ssm:GetCommandInvocation and ssm:CancelCommand (provisioning functions only) neither.',
      );
    }
    return fn;
  }

  /** Least-privilege statements for what a manifest entry says the function needs. */
  private grantNeeds(role: iam.Role, needs: readonly FunctionNeed[], config: PanelConfig): void {
    const has = (n: FunctionNeed) => needs.includes(n);
    const tableActions = [...(has('table:read') ? TABLE_READ_ACTIONS : []), ...(has('table:write') ? TABLE_WRITE_ACTIONS : [])];
    if (tableActions.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'TableByKeyPrefix',
          actions: tableActions,
          resources: [this.table.tableArn, `${this.table.tableArn}/index/${TABLE.gsi1.indexName}`],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns() } },
        }),
      );
    }
    if (has('cognito:admin')) {
      role.addToPolicy(
        new iam.PolicyStatement({ sid: 'UserPoolAdmin', actions: COGNITO_ADMIN_ACTIONS, resources: [this.userPool.userPoolArn] }),
      );
    }
    if (has('cognito:clients')) {
      role.addToPolicy(
        new iam.PolicyStatement({ sid: 'UserPoolClients', actions: COGNITO_CLIENT_ACTIONS, resources: [this.userPool.userPoolArn] }),
      );
    }
    if (has('kms:data-key')) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DataKey',
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.dataKey.keyArn],
        }),
      );
    }
    // ses:SendEmail on the MAIL_FROM identity and the configuration set only (infra/stacks/mail-events.ts).
    if (has('ses:send') && config.mailFrom) this.mailEvents.grantSend(role, config.mailFrom);
    if (has('ssm:ssl-keys')) this.sslKeys.grantWrite(role);
    if (has('ssm:provision')) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ProvisionDocument',
          actions: ['ssm:SendCommand'],
          resources: [this.formatArn({ service: 'ssm', resource: 'document', resourceName: this.provisionDocument.ref })],
        }),
      );
      const instances = [
        this.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
        this.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
      ];
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ProvisionTaggedServers',
          actions: ['ssm:SendCommand'],
          resources: instances,
          conditions: { StringEquals: { [`ssm:resourceTag/${config.hostingTagKey}`]: config.hostingTagValue } },
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ProvisionResults',
          actions: ['ssm:GetCommandInvocation', 'ssm:CancelCommand'],
          resources: ['*'],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ProvisionOutput',
          actions: ['logs:GetLogEvents'],
          resources: [this.provisionOutput.logGroupArn], // arn:...:log-group:<name>:* covers its streams
        }),
      );
      const defaultPolicy = role.node.findChild('DefaultPolicy');
      for (const r of ['ec2:<AWS::Region>:<AWS::AccountId>:instance/*', 'ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*']) {
        ack(
          defaultPolicy,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${r}]`,
          `Hosting servers are registered after deploy and not known to the stack; SendCommand on them is limited to instances tagged ${config.hostingTagKey}=${config.hostingTagValue} (condition ssm:resourceTag) and to the provisioning document.`,
        );
      }
    }
  }

  /**
   * First deploy with operatorEmail: the `operator` login in the user pool (group operator), with a
   * one-time password Cognito e-mails, and its LOGIN item in the table so the name stays reserved.
   * Runs on create only; a re-deploy leaves an existing operator alone (UsernameExists and a failed
   * put condition are ignored).
   */
  private bootstrapOperator(email: string, operatorGroup: cognito.UserPoolGroup): void {
    const username = 'operator';
    const policy = cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({
        actions: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminAddUserToGroup'],
        resources: [this.userPool.userPoolArn],
      }),
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [this.table.tableArn] }),
    ]);
    const createUser = new cr.AwsCustomResource(this, 'OperatorUser', {
      installLatestAwsSdk: false,
      policy,
      onCreate: {
        service: 'CognitoIdentityProvider',
        action: 'AdminCreateUser',
        parameters: {
          UserPoolId: this.userPool.userPoolId,
          Username: username,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        },
        ignoreErrorCodesMatching: 'UsernameExistsException',
        physicalResourceId: cr.PhysicalResourceId.of(`${username}-user`),
      },
    });
    const addToGroup = new cr.AwsCustomResource(this, 'OperatorGroupMembership', {
      installLatestAwsSdk: false,
      policy,
      onCreate: {
        service: 'CognitoIdentityProvider',
        action: 'AdminAddUserToGroup',
        parameters: { UserPoolId: this.userPool.userPoolId, Username: username, GroupName: operatorGroup.groupName },
        physicalResourceId: cr.PhysicalResourceId.of(`${username}-group`),
      },
    });
    addToGroup.node.addDependency(createUser, operatorGroup);
    const item = loginItem({ username, role: 'operator', locked: false });
    new cr.AwsCustomResource(this, 'OperatorLogin', {
      installLatestAwsSdk: false,
      policy,
      onCreate: {
        service: 'DynamoDB',
        action: 'PutItem',
        parameters: {
          TableName: this.table.tableName,
          Item: marshall(item),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        },
        ignoreErrorCodesMatching: 'ConditionalCheckFailedException',
        physicalResourceId: cr.PhysicalResourceId.of(`${username}-login`),
      },
    });
    const provider = this.node.tryFindChild(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
    if (provider) {
      ack(
        provider,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The CDK AwsCustomResource provider (operator bootstrap, runs once per deploy) uses the basic execution role for its own logs only.',
      );
      ack(
        provider,
        'AwsSolutions-L1',
        'The AwsCustomResource provider runtime is chosen by aws-cdk-lib, not by this project; it runs only during deployments.',
      );
    }
  }

  private buildAlarms(stage: apigwv2.HttpStage): void {
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, props: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric }) => {
      const a = props.metric instanceof cloudwatch.MathExpression || props.metric instanceof cloudwatch.Metric
        ? props.metric.createAlarm(this, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props })
        : undefined;
      a?.addAlarmAction(action);
      a?.addOkAction(action);
      return a;
    };
    const fiveMin = Duration.minutes(5);
    alarm('Api5xxAlarm', {
      metric: stage.metricServerError({ period: fiveMin, statistic: 'Sum' }),
      alarmDescription: 'HTTP API answered 5xx (any route) 5 or more times in 5 minutes',
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('ApiLatencyP99Alarm', {
      metric: stage.metricLatency({ period: fiveMin, statistic: 'p99' }),
      alarmDescription: 'HTTP API p99 latency above 3 s for 15 minutes',
      threshold: 3000,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    for (const [name, fn] of this.functions) {
      const id = pascal(name);
      alarm(`${id}ErrorsAlarm`, {
        metric: fn.metricErrors({ period: fiveMin, statistic: 'Sum' }),
        alarmDescription: `Lambda ${name}: invocation errors`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      alarm(`${id}ThrottlesAlarm`, {
        metric: fn.metricThrottles({ period: fiveMin, statistic: 'Sum' }),
        alarmDescription: `Lambda ${name}: throttled invocations`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    alarm('ScheduleDeadLettersAlarm', {
      metric: this.scheduleDeadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMin, statistic: 'Maximum' }),
      alarmDescription: 'A scheduled job (billing, usage, provisioning) could not be invoked after its retries',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('TableThrottlesAlarm', {
      metric: new cloudwatch.MathExpression({
        expression: 'r + w',
        usingMetrics: {
          r: this.table.metric('ReadThrottleEvents', { statistic: 'Sum', period: fiveMin }),
          w: this.table.metric('WriteThrottleEvents', { statistic: 'Sum', period: fiveMin }),
        },
        period: fiveMin,
        label: 'Throttle events',
      }),
      alarmDescription: 'DynamoDB table: throttled reads or writes',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('TableSystemErrorsAlarm', {
      metric: this.table.metricSystemErrorsForOperations({
        operations: [
          dynamodb.Operation.GET_ITEM,
          dynamodb.Operation.BATCH_GET_ITEM,
          dynamodb.Operation.QUERY,
          dynamodb.Operation.PUT_ITEM,
          dynamodb.Operation.UPDATE_ITEM,
          dynamodb.Operation.DELETE_ITEM,
          dynamodb.Operation.TRANSACT_WRITE_ITEMS,
        ],
        period: fiveMin,
        statistic: 'Sum',
      }),
      alarmDescription: 'DynamoDB table: system errors (HTTP 500 from DynamoDB)',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}

/** Plain item to DynamoDB JSON (strings, booleans, numbers; undefined dropped). */
function marshall(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    if (typeof v === 'string') out[k] = { S: v };
    else if (typeof v === 'boolean') out[k] = { BOOL: v };
    else if (typeof v === 'number') out[k] = { N: String(v) };
    else throw new Error(`cannot marshall ${k}`);
  }
  return out;
}
