import { Template, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { CONSOLE_CSP, apiPathPatterns } from '../../infra/stacks/console';
import { buildStack } from './support';

/** CloudFront's path pattern language: * any run of characters, ? one. */
const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(path);

describe('the web console on AWS', () => {
  let t: Template;
  beforeAll(() => {
    t = Template.fromStack(buildStack());
  }, 120_000);

  it('keeps the files in a private, encrypted bucket that only CloudFront (origin access control) reads', () => {
    const buckets = t.findResources('AWS::S3::Bucket');
    const files = Object.entries(buckets).find(([id]) => id.startsWith('ConsoleFiles'))!;
    expect(files[1].Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(files[1].Properties.WebsiteConfiguration).toBeUndefined();
    expect(files[1].Properties.BucketEncryption).toBeDefined();
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const filesPolicy = Object.values(policies).find((p) => JSON.stringify(p.Properties.Bucket).includes(files[0]))!;
    const statements = filesPolicy.Properties.PolicyDocument.Statement as { Effect: string; Principal?: { Service?: string }; Condition?: unknown; Action: unknown }[];
    const read = statements.filter((s) => s.Effect === 'Allow');
    expect(read.every((s) => s.Principal?.Service === 'cloudfront.amazonaws.com' && JSON.stringify(s.Condition).includes('AWS:SourceArn'))).toBe(true);
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  it('serves HTTPS only, index.html at the root, with access logs', () => {
    const dist = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.DefaultRootObject).toBe('index.html');
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    for (const b of dist.CacheBehaviors) expect(b.ViewerProtocolPolicy).toBe('https-only');
    expect(dist.Logging.Bucket).toBeDefined();
    for (const o of dist.Origins.filter((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig)) {
      expect(o.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    }
  });

  it('sends every API route to the HTTP API and no console file to it', () => {
    const patterns = apiPathPatterns(ROUTES.map((r) => r.path));
    for (const r of ROUTES) expect(patterns.some((p) => matches(p, r.path.replace(/\{\w+\}/g, 'x')))).toBe(true);
    for (const file of ['/', '/index.html', '/config.json', '/assets/index-abc.js', '/assets/index-abc.css']) expect(patterns.some((p) => matches(p, file))).toBe(false);
    const dist = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(dist.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern).sort()).toEqual(patterns);
    expect(patterns.length).toBeLessThanOrEqual(25); // CloudFront's default quota of behaviours
    const apiOrigin = dist.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('HttpApi');
    for (const b of dist.CacheBehaviors) {
      expect(b.TargetOriginId).toBe(apiOrigin.Id);
      expect(b.AllowedMethods).toContain('PATCH');
    }
    t.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 0, ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization', 'Accept'] } }) }),
    });
  });

  it('answers with a strict content-security-policy and the other security headers', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: CONSOLE_CSP, Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      }),
    });
  });

  it('deploys the built files and config.json into the bucket and invalidates index.html and config.json', () => {
    const deploys = Object.values(t.findResources('Custom::CDKBucketDeployment'));
    expect(deploys).toHaveLength(1);
    const d = deploys[0]!.Properties;
    expect(d.SourceObjectKeys).toHaveLength(2);
    expect(JSON.stringify(d.DestinationBucketName)).toContain('ConsoleFiles');
    expect(d.DistributionPaths).toEqual(['/index.html', '/config.json']);
    t.hasOutput('ConsoleUrl', {});
  });
});
