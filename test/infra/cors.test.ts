import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/stacks/config';
import { parseCorsOrigins } from '../../functions/http/cors';
import { buildStack, newApp, TEST_CONFIG } from './support';

/** CORS on AWS (issue 11): API Gateway's corsPreflight for the origins of CORS_ORIGINS, none by default. */
describe('CORS in the stack', () => {
  const apiOf = (t: Template) => Object.values(t.findResources('AWS::ApiGatewayV2::Api'))[0] as { Properties: Record<string, any> };

  it('configures no CORS by default', () => {
    expect(apiOf(Template.fromStack(buildStack())).Properties.CorsConfiguration).toBeUndefined();
  });

  it('answers preflights of the configured origins: methods, Authorization, Content-Type, Idempotency-Key, Max-Age, no credentials', () => {
    const t = Template.fromStack(buildStack({ config: { ...TEST_CONFIG, corsOrigins: ['https://shop.example.com', 'http://localhost:5173'] } }));
    expect(apiOf(t).Properties.CorsConfiguration).toEqual({
      AllowOrigins: ['https://shop.example.com', 'http://localhost:5173'],
      AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      ExposeHeaders: ['retry-after', 'content-disposition', 'idempotent-replayed'],
      MaxAge: 3600,
      AllowCredentials: false,
    });
    // No route takes OPTIONS, so API Gateway answers the preflights itself, before any authorizer.
    const keys = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => String(r.Properties.RouteKey));
    expect(keys.filter((k) => /^(OPTIONS|ANY) /.test(k))).toEqual([]);
  });

  it('reads CORS_ORIGINS (or the corsOrigins context), comma-separated, and refuses what is not an origin, naming it', () => {
    expect(readConfig(newApp().node, { CORS_ORIGINS: 'https://a.example, http://localhost:5173/' }).corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(readConfig(newApp({ corsOrigins: 'https://b.example' }).node, { CORS_ORIGINS: 'https://a.example' }).corsOrigins).toEqual(['https://b.example']);
    expect(readConfig(newApp().node, {}).corsOrigins).toEqual([]);
    for (const bad of ['*', 'https://*.example.com', 'https://a.example/path', 'ftp://a.example', 'a.example', 'null', 'https://user@a.example']) {
      expect(() => parseCorsOrigins(bad), bad).toThrow(`CORS_ORIGINS: ${JSON.stringify(bad)} is not an origin`);
    }
  });
});
