/**
 * The web console on AWS: the built files (web/dist) in a private S3 bucket, read by CloudFront
 * through origin access control, HTTPS only, with strict security headers. The API's paths go to
 * the HTTP API through the same distribution, so the console and the API share one origin: no CORS
 * (a preflight could not pass the API's authorized catch-all route) and `connect-src 'self'`.
 * `config.json` is written at deploy next to the files.
 */
import { existsSync } from 'node:fs';
import { Annotations, Duration, Fn, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** The console's policy: only its own scripts, styles and API; no framing, no inline script. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  'upgrade-insecure-requests',
].join('; ');

/** CloudFront path patterns for the API: one per first path segment of the route table (`/users*`). */
export function apiPathPatterns(routePaths: readonly string[]): string[] {
  return [...new Set(routePaths.map((p) => p.split('/')[1]).filter((s): s is string => !!s))].sort().map((s) => `/${s}*`);
}

export interface ConsoleProps {
  httpApi: apigwv2.HttpApi;
  /** The paths of the route table (functions/http/routes), to send to the API. */
  apiPaths: readonly string[];
  /** The built console (web/dist); `npm run deploy` builds it first. */
  distDir: string;
}

export class WebConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Reseller console: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    // The API: nothing cached (it answers no-store), the bearer token and Accept reach it.
    const apiDomain = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));
    const apiOrigin = new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] });
    const apiCache = new cloudfront.CachePolicy(this, 'ApiNoCache', {
      comment: 'API through the console origin: the token in the key, nothing kept (the API sends no-store)',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization', 'Accept'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCache,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Reseller console and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns(props.apiPaths).map((p) => [p, apiBehavior])),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    const built = existsSync(`${props.distDir}/index.html`);
    if (!built) Annotations.of(this).addWarning(`the console is not built (${props.distDir}); run npm run build:web (npm run deploy does)`);
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        built ? s3deploy.Source.asset(props.distDir, { exclude: ['config.json'] }) : s3deploy.Source.data('index.html', '<!doctype html><title>Console not built</title>'),
        // The API is this origin (see above); the file is where a deployment points the console elsewhere.
        s3deploy.Source.jsonData('config.json', { apiUrl: '' }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 256,
    });

    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(logs, 'AwsSolutions-S1', 'This is the access-log bucket of the console; logging it into itself would loop.');
    ack(this.distribution, 'AwsSolutions-CFR1', 'Resellers and their customers sign in from anywhere; no country is excluded.');
    ack(this.distribution, 'AwsSolutions-CFR2', 'No WAF in front of static files and an API that authenticates every call and is throttled per stage; a WebACL can be attached by the operator.');
    ack(this.distribution, 'AwsSolutions-CFR4', 'Without a custom domain the default CloudFront certificate is used, whose TLS floor CloudFront sets; TLSv1.2_2021 applies once a certificate is given.');
    // The BucketDeployment custom resource (CDK's own singleton Lambda) that copies the files: its
    // grants are narrowed to the exact actions `aws s3 sync` and the invalidation need.
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      const policy = child.node.tryFindChild('ServiceRole')?.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
      if (policy) narrowActions(policy);
      ack(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', "CDK's BucketDeployment function uses AWSLambdaBasicExecutionRole for its own logs only.");
      for (const evidence of ['Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`]) {
        ack(child, `AwsSolutions-IAM5[${evidence}]`, 'The deployment reads the uploaded asset and replaces every object of the console bucket; object-level resources of exactly those two buckets.');
      }
      for (const [wild, exact] of Object.entries(EXACT_S3_ACTIONS)) {
        ack(child, `AwsSolutions-IAM5[Action::${wild}]`, `Replaced by ${exact.join(', ')} in the template (narrowActions overrides the policy document; cdk-nag reads the property before the override).`);
      }
      ack(child, 'AwsSolutions-IAM5[Resource::*]', 'cloudfront:CreateInvalidation/GetInvalidation of the console distribution after each deploy; CDK grants it on * in its singleton function.');
      ack(child, 'AwsSolutions-L1', "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib, not here.");
    }
  }
}

/** What BucketDeployment's wildcard grants stand for, as the exact actions its `aws s3 sync` uses. */
const EXACT_S3_ACTIONS: Record<string, string[]> = {
  's3:GetObject*': ['s3:GetObject'],
  's3:GetBucket*': ['s3:GetBucketLocation'],
  's3:List*': ['s3:ListBucket'],
  's3:DeleteObject*': ['s3:DeleteObject'],
  's3:Abort*': ['s3:AbortMultipartUpload'],
};

function narrowActions(policy: iam.Policy): void {
  const cfn = policy.node.defaultChild as iam.CfnPolicy;
  const stack = Stack.of(policy);
  cfn.addPropertyOverride(
    'PolicyDocument',
    Lazy.any({
      produce: () => {
        const doc = stack.resolve(policy.document) as { Statement: { Action: string | string[] }[] };
        for (const st of doc.Statement) {
          const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
          st.Action = [...new Set(actions.flatMap((a) => EXACT_S3_ACTIONS[a] ?? [a]))];
        }
        return doc;
      },
    }),
  );
}
