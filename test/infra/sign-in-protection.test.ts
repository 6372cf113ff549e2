import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, TEST_CONFIG } from './support';

/** Sign-in abuse on AWS (issue 8): API Gateway throttles sign-in on its own; Cognito's threat protection is one switch. */
describe('sign-in protection in the stack', () => {
  const stageOf = (t: Template) => Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: Record<string, any>; DependsOn?: string[] };

  it('throttles POST /auth/login tighter than the default route, and the stage waits for that route', () => {
    const t = Template.fromStack(buildStack());
    const stage = stageOf(t);
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.Properties.RouteSettings).toEqual({ 'POST /auth/login': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } });
    const loginRoute = Object.entries(t.findResources('AWS::ApiGatewayV2::Route')).find(([, r]) => r.Properties.RouteKey === 'POST /auth/login');
    expect(loginRoute).toBeDefined();
    expect(stage.DependsOn).toContain(loginRoute![0]);
  });

  it('takes the login limits from the configuration', () => {
    const stage = stageOf(Template.fromStack(buildStack({ config: { ...TEST_CONFIG, loginRateLimit: 2, loginBurstLimit: 4 } })));
    expect(stage.Properties.RouteSettings['POST /auth/login']).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 });
  });

  it('runs Cognito threat protection (Plus plan, enforced) when threatProtection is on; Essentials by default', () => {
    const off = Object.values(Template.fromStack(buildStack()).findResources('AWS::Cognito::UserPool'))[0] as any;
    expect(off.Properties.UserPoolTier).toBe('ESSENTIALS');
    const on = Object.values(Template.fromStack(buildStack({ config: { ...TEST_CONFIG, threatProtection: true } })).findResources('AWS::Cognito::UserPool'))[0] as any;
    expect(on.Properties.UserPoolTier).toBe('PLUS');
    expect(on.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });
});
