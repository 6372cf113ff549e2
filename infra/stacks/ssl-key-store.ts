/**
 * Hosted users' private keys where the hosting servers fetch them: SSM Parameter Store SecureStrings
 * under one path (`/<stack>/ssl/<username>/<digest>`, shared/domain/provisioning/key-names.ts),
 * encrypted with a KMS key of their own. Least privilege both ways:
 * - the functions that store certificates may PutParameter and DeleteParameter under the path only,
 *   and use the key only through SSM (kms:ViaService);
 * - the hosting servers' instance roles get the managed policy `hostingServerPolicy`: GetParameter
 *   under the path only and kms:Decrypt through SSM only. Attach it to each server's role
 *   (docs/deploy.md); the servers are registered after deploy, so the stack does not know their roles.
 */
import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface SslKeyStoreProps {
  /** Parameter path, default `/<stack name>/ssl`. */
  path?: string;
}

export class SslKeyStore extends Construct {
  readonly key: kms.Key;
  readonly path: string;
  readonly hostingServerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: SslKeyStoreProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.path = props.path ?? `/${stack.stackName}/ssl`;
    this.key = new kms.Key(this, 'Key', {
      description: "Reseller panel: encrypts hosted users' SSL private keys in Parameter Store",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.hostingServerPolicy = new iam.ManagedPolicy(this, 'HostingServerPolicy', {
      description: "Reseller panel hosting servers: read the hosted users' private keys (SSL) from Parameter Store",
      statements: [
        new iam.PolicyStatement({ sid: 'ReadSslKeys', actions: ['ssm:GetParameter'], resources: [this.parametersArn()] }),
        new iam.PolicyStatement({
          sid: 'DecryptSslKeysThroughSsm',
          actions: ['kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': this.viaSsm() } },
        }),
      ],
    });
    this.acknowledgeWildcard(this.hostingServerPolicy);
    new CfnOutput(stack, 'HostingServerPolicyArn', {
      value: this.hostingServerPolicy.managedPolicyArn,
      description: "Attach to every hosting server's instance role (reads hosted users' SSL keys)",
    });
  }

  private acknowledgeWildcard(scope: Construct): void {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${this.path}/*]`,
      reason: 'One parameter per hosted user certificate, created at run time: the wildcard is limited to the key store path.',
    });
  }

  /** Every parameter under the path. */
  parametersArn(): string {
    return Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${this.path.replace(/^\//, '')}/*` });
  }

  private viaSsm(): string {
    return `ssm.${Stack.of(this).region}.amazonaws.com`;
  }

  /** The environment the key store adapter reads (shared/adapters/ssm/private-key-store-from-env.ts). */
  environment(): Record<string, string> {
    return { SSL_KEY_PARAMETER_PATH: this.path, SSL_KEY_KMS_KEY_ID: this.key.keyArn };
  }

  /** Store and remove keys: Put/DeleteParameter under the path, the key through SSM only. */
  grantWrite(role: iam.Role): void {
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'WriteSslKeys', actions: ['ssm:PutParameter', 'ssm:DeleteParameter'], resources: [this.parametersArn()] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptSslKeysThroughSsm',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': this.viaSsm() } },
      }),
    );
    this.acknowledgeWildcard(role.node.findChild('DefaultPolicy'));
  }
}
