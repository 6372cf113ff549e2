import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { COGNITO_CLIENT_ACTIONS } from '../../infra/stacks/reseller-panel-stack';
import { readConfig } from '../../infra/stacks/config';
import { RESOURCE_SERVER, SCOPE_NAMES } from '../../shared/domain/scopes';
import { buildStack, newApp, TEST_CONFIG } from './support';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** API clients on AWS (issue 11): a resource server with the catalogue's scopes, a domain for /oauth2/token, least privilege. */
describe('API clients in the stack', () => {
  const t = Template.fromStack(buildStack());
  const ofType = (type: string) => Object.entries(t.findResources(type));

  it('has a resource server with exactly the scope catalogue, and a Cognito domain', () => {
    const [server] = ofType('AWS::Cognito::UserPoolResourceServer');
    expect(server![1].Properties.Identifier).toBe(RESOURCE_SERVER);
    expect(server![1].Properties.Scopes.map((s: { ScopeName: string }) => s.ScopeName)).toEqual(SCOPE_NAMES);
    const domains = ofType('AWS::Cognito::UserPoolDomain');
    expect(domains).toHaveLength(1);
    expect(JSON.stringify(domains[0]![1].Properties.Domain)).toContain('reseller-panel-');
    const custom = Template.fromStack(buildStack({ config: { ...TEST_CONFIG, cognitoDomainPrefix: 'acme-panel' } }));
    expect(Object.values(custom.findResources('AWS::Cognito::UserPoolDomain'))[0]!.Properties.Domain).toBe('acme-panel');
  });

  it('refuses a domain prefix Cognito would refuse', () => {
    expect(() => readConfig(newApp({ cognitoDomainPrefix: 'my-cognito-panel' }).node, {})).toThrow(/cognitoDomainPrefix/);
    expect(() => readConfig(newApp({ cognitoDomainPrefix: 'Upper' }).node, {})).toThrow(/cognitoDomainPrefix/);
  });

  it('lets only the identity function create and delete app clients, on the pool only', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([id, p]) => (p.Properties.PolicyDocument.Statement as any[]).map((s) => ({ policy: id, ...s })));
    const granted = statements.filter((s) => [s.Action].flat().some((a: string) => /UserPoolClient/.test(a)));
    expect(granted).toHaveLength(1);
    expect(granted[0]!.policy).toMatch(/Identity/i);
    expect([granted[0]!.Action].flat().sort()).toEqual([...COGNITO_CLIENT_ACTIONS].sort());
    expect(granted[0]!.Resource['Fn::GetAtt'][1]).toBe('Arn');
    expect(granted[0]!.Resource['Fn::GetAtt'][0]).toMatch(/^UserPool/);
  });

  it('grants exactly the commands the Cognito API client adapter sends', () => {
    const source = readFileSync(join(REPO_ROOT, 'shared/adapters/cognito/cognito-api-clients.ts'), 'utf8');
    const used = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => `cognito-idp:${m[1]}`))];
    expect(used.sort()).toEqual([...COGNITO_CLIENT_ACTIONS].sort());
  });

  it('gives the identity function the domain URL for /oauth2/token', () => {
    const identity = ofType('AWS::Lambda::Function').filter(([id]) => /Identity/i.test(id));
    expect(identity.length).toBeGreaterThan(0);
    for (const [, f] of identity) expect(f.Properties.Environment.Variables.COGNITO_DOMAIN_URL).toBeDefined();
  });
});
