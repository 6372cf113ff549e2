import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './support';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

let template: Template;
let policies: { name: string; statements: Statement[] }[];
beforeAll(() => {
  template = Template.fromStack(buildStack());
  const inline = Object.entries(template.findResources('AWS::IAM::Policy')).map(([name, r]) => ({
    name,
    statements: (r.Properties.PolicyDocument.Statement as Statement[]),
  }));
  const managed = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).map(([name, r]) => ({
    name,
    statements: (r.Properties.PolicyDocument.Statement as Statement[]),
  }));
  policies = [...inline, ...managed];
});

const parameterArn = (resource: unknown) => JSON.stringify(resource);

describe('SSL private keys in Parameter Store (infra/stacks/ssl-key-store.ts)', () => {
  it('the functions may Put/DeleteParameter only under the key store path, the key only through SSM', () => {
    const writes = policies.flatMap((p) => p.statements).filter((s) => actions(s).some((a) => a === 'ssm:PutParameter' || a === 'ssm:DeleteParameter'));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      expect(actions(s).sort()).toEqual(['ssm:DeleteParameter', 'ssm:PutParameter']);
      expect(parameterArn(s.Resource)).toContain(':parameter/TestStack/ssl/*');
    }
    const encrypt = policies.flatMap((p) => p.statements).filter((s) => s.Sid === 'EncryptSslKeysThroughSsm');
    expect(encrypt.length).toBe(writes.length);
    for (const s of encrypt) expect(JSON.stringify(s.Condition)).toContain('kms:ViaService');
  });

  it("the hosting servers' policy may GetParameter only under the path and decrypt only through SSM; nothing else reads keys", () => {
    const server = template.findResources('AWS::IAM::ManagedPolicy');
    const [name, policy] = Object.entries(server).find(([n]) => n.includes('HostingServerPolicy'))!;
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    expect(statements.map((s) => actions(s))).toEqual([['ssm:GetParameter'], ['kms:Decrypt']]);
    expect(parameterArn(statements[0]!.Resource)).toContain(':parameter/TestStack/ssl/*');
    expect(JSON.stringify(statements[1]!.Condition)).toContain('kms:ViaService');
    const readers = policies.filter((p) => p.statements.some((s) => actions(s).some((a) => a.startsWith('ssm:GetParameter'))));
    expect(readers.map((p) => p.name)).toEqual([name]);
    expect(template.findOutputs('HostingServerPolicyArn')).not.toEqual({});
  });

  it('the key rotates, and the functions know the path and the key', () => {
    const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([n]) => n.includes('SslKeys'));
    expect(keys).toHaveLength(1);
    expect(keys[0]![1].Properties.EnableKeyRotation).toBe(true);
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    const env = fns.map((f) => f.Properties.Environment?.Variables ?? {});
    expect(env.some((v) => v.SSL_KEY_PARAMETER_PATH === '/TestStack/ssl' && v.SSL_KEY_KMS_KEY_ID)).toBe(true);
  });
});
