import { HTTP_LAMBDAS } from '../../functions/http/lambdas';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../shared/adapters/dynamodb/keys';
import { FUNCTIONS } from '../../infra/functions-manifest';
import {
  COGNITO_ADMIN_ACTIONS,
  PUBLIC_ROUTES,
  API_ROUTES,
  REPO_ROOT,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
} from '../../infra/stacks/reseller-panel-stack';
import { leadingKeyPatterns } from '../../infra/stacks/table-access';
import { tableDefinition } from '../../shared/adapters/dynamodb/table-definition';

const LOCAL_TABLE = tableDefinition('local');
import { buildStack } from './support';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

let template: Template;
let resources: Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The one resource of a type: [logicalId, resource]. */
const only = (type: string): [string, any] => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  template = Template.fromStack(buildStack());
  resources = template.toJSON().Resources;
});

describe('table', () => {
  it('is on-demand with PITR, deletion protection, TTL, GSI1, encryption, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true },
      // The very keys and index the local runtime creates: one definition, two places.
      KeySchema: LOCAL_TABLE.KeySchema,
      GlobalSecondaryIndexes: LOCAL_TABLE.GlobalSecondaryIndexes,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('user pool', () => {
  it('has groups operator and reseller', () => {
    const names = ofType('AWS::Cognito::UserPoolGroup').map(([, r]) => r.Properties.GroupName).sort();
    expect(names).toEqual(['operator', 'reseller']);
  });

  it('has the immutable custom:resellerId attribute, no self sign-up, length-only password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Schema: Match.arrayWith([Match.objectLike({ Name: 'resellerId', Mutable: false, AttributeDataType: 'String' })]),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: false,
          RequireUppercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        }),
      },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('has an app client for ADMIN_USER_PASSWORD_AUTH without a secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_ADMIN_USER_PASSWORD_AUTH']),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('bootstraps the operator: AdminCreateUser e-mailing a one-time password, group membership, LOGIN item', () => {
    const calls = ofType('Custom::AWS').map(([, r]) => JSON.stringify(r.Properties.Create));
    const create = calls.find((c) => c.includes('AdminCreateUser'));
    expect(create).toBeDefined();
    expect(create).toContain('\\"DesiredDeliveryMediums\\":[\\"EMAIL\\"]');
    expect(create).toContain('operator@example.com');
    expect(create).toContain('UsernameExistsException');
    expect(calls.some((c) => c.includes('AdminAddUserToGroup') && c.includes('"Ref":"GroupOperator'))).toBe(true);
    expect(calls.some((c) => c.includes('PutItem') && c.includes('LOGIN#operator') && c.includes('attribute_not_exists'))).toBe(true);
  });

  it('skips the bootstrap when no operator e-mail is configured', () => {
    const t = Template.fromStack(buildStack({ config: {} }));
    t.resourceCountIs('Custom::AWS', 0);
  });
});

const PROXY_ROUTE_KEYS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => `${m} /{proxy+}`);

describe('HTTP API', () => {
  const routes = () => Object.fromEntries(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]));

  it('leaves the public routes without authorizer', () => {
    const r = routes();
    for (const p of PUBLIC_ROUTES) {
      expect(r[`${p.method} ${p.path}`], `${p.method} ${p.path}`).toBeDefined();
      expect(r[`${p.method} ${p.path}`]!.AuthorizationType).toBe('NONE');
      expect(r[`${p.method} ${p.path}`]!.AuthorizerId).toBeUndefined();
    }
    expect(Object.keys(r).sort()).toEqual([...PROXY_ROUTE_KEYS, ...API_ROUTES.map((p) => `${p.method} ${p.path}`)].sort());
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['GET /health', 'GET /openapi.json', 'POST /auth/login']));
  });

  it('sends each route to the function of its group, behind the authorizer unless public', () => {
    const r = routes();
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration').map(([id, i]) => [id, JSON.stringify(i.Properties.IntegrationUri)]));
    const fnIds = Object.fromEntries(
      ofType('AWS::Lambda::Function').map(([id, f]) => [String(f.Properties.Description).replace('Reseller panel: ', ''), id]),
    );
    const target = (routeKey: string) => integrations[((r[routeKey]!.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string }).Ref]!;
    for (const i of API_ROUTES) {
      const route = r[`${i.method} ${i.path}`]!;
      expect(route.AuthorizationType, `${i.method} ${i.path}`).toBe(i.public ? 'NONE' : 'CUSTOM');
      expect(target(`${i.method} ${i.path}`), `${i.method} ${i.path}`).toContain(fnIds[i.lambda]!);
    }
    expect(new Set(API_ROUTES.map((i) => i.lambda))).toEqual(new Set(Object.keys(HTTP_LAMBDAS)));
    for (const key of PROXY_ROUTE_KEYS) expect(target(key), key).toContain(fnIds.api!);
    // One invoke permission per function for the whole API, not one per route; one more for the authorizer.
    expect(ofType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com')).toHaveLength(Object.keys(HTTP_LAMBDAS).length + 1);
  });

  it('protects /{proxy+} (every method but OPTIONS, which CORS preflights need) with the token authorizer function (console ID tokens and API clients\' access tokens)', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    for (const key of PROXY_ROUTE_KEYS) {
      expect(routes()[key]!.AuthorizationType, key).toBe('CUSTOM');
      expect(routes()[key]!.AuthorizerId, key).toEqual({ Ref: authorizerId });
    }
    expect(Object.keys(routes()).filter((k) => k.startsWith('OPTIONS ') || k.startsWith('ANY '))).toEqual([]);
    expect(authorizer.Properties.AuthorizerType).toBe('REQUEST');
    expect(authorizer.Properties.EnableSimpleResponses).toBe(true);
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBe(300);
    const fn = ofType('AWS::Lambda::Function').find(([id]) => JSON.stringify(authorizer.Properties.AuthorizerUri).includes(id));
    expect(fn, 'the authorizer function').toBeDefined();
    expect(fn![1].Properties.Environment.Variables).toHaveProperty('USER_POOL_CLIENT_ID');
  });

  it('has a throttled $default stage with JSON access logs', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    expect(stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][1]).toBe('Arn');
  });
});

describe('functions', () => {
  it('builds every manifest entry on nodejs22.x, arm64, with its own log group', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description ?? '').startsWith('Reseller panel: '));
    expect(fns.map(([, r]) => r.Properties.Description).sort()).toEqual(FUNCTIONS.map((f) => `Reseller panel: ${f.name}`).sort());
    for (const [, fn] of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
  });

  it('gives the API function the environment compose.ts reads', () => {
    const [, api] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === 'Reseller panel: api')!;
    const env = api.Properties.Environment.Variables;
    expect(env.IDENTITY_MODE).toBe('cognito');
    for (const name of ['TABLE_NAME', 'USER_POOL_ID', 'USER_POOL_CLIENT_ID', 'KMS_KEY_ID', 'PROVISION_DOCUMENT_NAME']) {
      expect(env[name], name).toBeDefined();
    }
    expect(env.PASSWORD_MIN_LENGTH).toBe('12');
    expect(env.TOKEN_TTL_SECONDS).toBe('3600');
    expect(env.MAIL_FROM).toBe('noreply@example.com');
  });
});

describe('IAM', () => {
  const statements = () =>
    ofType('AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as any[]).map((s) => ({ policy: id, ...s })),
    );
  const actionsOf = (s: any): string[] => [s.Action].flat();

  it('has no wildcard actions', () => {
    for (const s of statements()) for (const a of actionsOf(s)) expect(a, `${s.policy}: ${a}`).not.toMatch(/\*/);
  });

  it('limits table access to the needed actions on the table and GSI1, by key prefix', () => {
    const table = statements().filter((s) => s.Sid === 'TableByKeyPrefix');
    // One such statement per function that uses the table, each with only the actions it needs.
    expect(table).toHaveLength(FUNCTIONS.filter((f) => f.needs.some((n) => n.startsWith('table:'))).length);
    for (const t of table) {
      expect(TABLE_READ_ACTIONS.every((a) => actionsOf(t).includes(a))).toBe(true);
      expect(actionsOf(t).every((a) => [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS].includes(a))).toBe(true);
      expect(JSON.stringify(t.Resource)).toContain(`/index/${TABLE.gsi1.indexName}`);
      expect(t.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']).toEqual(leadingKeyPatterns());
    }
    // No other statement of a product function touches DynamoDB.
    const others = statements().filter((s) => s.Sid !== 'TableByKeyPrefix' && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(others.every((s) => s.policy.startsWith('Operator'))).toBe(true);
  });

  it('lets provisioning functions read back large SSM output from its log group, and nothing else', () => {
    const readers = statements().filter((s) => s.Sid === 'ProvisionOutput');
    expect(readers).toHaveLength(FUNCTIONS.filter((f) => f.needs.includes('ssm:provision')).length);
    const [groupId] = ofType('AWS::Logs::LogGroup').find(([id]) => id.startsWith('ProvisionOutput'))!;
    for (const r of readers) {
      expect(actionsOf(r)).toEqual(['logs:GetLogEvents']);
      expect(r.Resource).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });
    }
    const withSsm = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.PROVISION_OUTPUT_LOG_GROUP);
    expect(withSsm.length).toBeGreaterThan(0);
  });

  it('derives the leading-key prefixes from keys.ts', () => {
    const patterns = leadingKeyPatterns();
    expect(patterns).toEqual(expect.arrayContaining(['R#*', 'LOGIN#*', 'RESELLERS']));
    for (const p of patterns) expect(p).toMatch(/^[A-Z]+(#\*)?$/);
  });

  it('grants exactly the Cognito admin actions the identity adapter sends, on the pool', () => {
    const source = readFileSync(join(REPO_ROOT, 'shared/adapters/cognito/cognito-identity.ts'), 'utf8');
    const used = [...new Set([...source.matchAll(/new (Admin\w+)Command\(/g)].map((m) => `cognito-idp:${m[1]}`))];
    const dynamic = source.includes('locked ? AdminDisableUserCommand : AdminEnableUserCommand')
      ? ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser']
      : [];
    expect([...COGNITO_ADMIN_ACTIONS].sort()).toEqual([...new Set([...used, ...dynamic])].sort());
    const pool = statements().find((s) => s.Sid === 'UserPoolAdmin')!;
    expect(pool.Resource['Fn::GetAtt'][1]).toBe('Arn');
  });

  it('scopes SES to MAIL_FROM and SSM SendCommand to the document and tagged instances', () => {
    const mail = statements().find((s) => s.Sid === 'SendMail')!;
    expect(mail.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'noreply@example.com' } });
    const tagged = statements().find((s) => s.Sid === 'ProvisionTaggedServers')!;
    expect(tagged.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/reseller-panel:role': 'hosting' } });
    const doc = statements().find((s) => s.Sid === 'ProvisionDocument')!;
    expect(JSON.stringify(doc.Resource)).toContain('ProvisionDocument');
  });
});

describe('KMS and SSM', () => {
  it('has a data key with rotation', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('deploys the provisioning Command document from provision.sh', () => {
    const [, doc] = only('AWS::SSM::Document');
    expect(doc.Properties.DocumentType).toBe('Command');
    expect(doc.Properties.Content.schemaVersion).toBe('2.2');
    expect(JSON.stringify(doc.Properties.Content)).toContain('provision.sh');
  });
});

describe('alarms', () => {
  it('alarms on API 5xx, p99 latency, Lambda errors and throttles, table throttles and system errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const metric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(metric('5xx')).toHaveLength(1);
    expect(metric('Latency').filter((a) => a.ExtendedStatistic === 'p99')).toHaveLength(1);
    expect(metric('Errors')).toHaveLength(FUNCTIONS.length);
    expect(metric('Throttles')).toHaveLength(FUNCTIONS.length);
    const math = alarms.filter((a) => a.Metrics);
    expect(math.map((a) => a.AlarmDescription).join(' | ')).toMatch(/throttled reads or writes.*system errors/);
    // Every alarm to the alarm topic (the other topic carries SES's events: infra/stacks/mail-events.ts).
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    const topicId = topics.find((t) => t.startsWith('AlarmTopic'))!;
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alarms@example.com' });
  });
});
