import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Identity, LoginRecord, Token } from '../../ports/identity';
import { CLAIMS } from '../claims';

const REJECTED = new Set(['NotAuthorizedException', 'UserNotFoundException', 'PasswordResetRequiredException', 'UserNotConfirmedException']);

/** Identity on AWS: the Cognito user pool holds the secrets and issues the ID tokens. */
export class CognitoIdentity implements Identity {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly clientId: string,
  ) {}

  async hashForStorage(): Promise<undefined> {
    return undefined; // Cognito keeps the password; the table never sees it.
  }

  async register(login: LoginRecord, password: string): Promise<void> {
    await this.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: this.userPoolId,
        Username: login.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: login.resellerId ? [{ Name: CLAIMS.resellerId, Value: login.resellerId }] : [],
      }),
    );
    await this.setPassword(login.username, password);
    await this.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: login.username, GroupName: login.role }),
    );
  }

  async authenticate(username: string, password: string, newPassword?: string): Promise<Token | 'NEW_PASSWORD_REQUIRED' | undefined> {
    try {
      let out: { AuthenticationResult?: { IdToken?: string; ExpiresIn?: number }; ChallengeName?: string; Session?: string } =
        await this.cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: this.userPoolId,
            ClientId: this.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: username, PASSWORD: password },
          }),
        );
      if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        // The one-time password Cognito e-mailed: the first sign-in must choose the real one.
        if (!newPassword) return 'NEW_PASSWORD_REQUIRED';
        out = await this.cognito.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: this.userPoolId,
            ClientId: this.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: out.Session,
            ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
          }),
        );
      }
      const idToken = out.AuthenticationResult?.IdToken;
      return idToken ? { token: idToken, expiresIn: out.AuthenticationResult?.ExpiresIn ?? 3600 } : undefined;
    } catch (e) {
      if (REJECTED.has((e as Error).name)) return undefined;
      throw e;
    }
  }

  async verifyPassword(username: string, password: string): Promise<boolean> {
    const out = await this.authenticate(username, password);
    return out !== undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.cognito.send(
      new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: username, Password: password, Permanent: true }),
    );
  }

  async setLocked(username: string, locked: boolean): Promise<void> {
    const Command = locked ? AdminDisableUserCommand : AdminEnableUserCommand;
    await this.cognito.send(new Command({ UserPoolId: this.userPoolId, Username: username }));
  }
}
