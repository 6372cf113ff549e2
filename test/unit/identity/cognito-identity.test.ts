/**
 * Cognito has no local stand-in that speaks its admin API offline, so its adapter is tested against
 * aws-sdk-client-mock: what it sends, and how it reads each answer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  NotAuthorizedException,
  InternalErrorException,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentity } from '../../../shared/adapters/cognito/cognito-identity';
import { login } from '../../../shared/app/auth/login';
import { LOGIN_THROTTLE } from '../../../shared/domain/login-throttle';
import { DEFAULT_PASSWORD_POLICY } from '../../../shared/domain/password';

const cognito = mockClient(CognitoIdentityProviderClient);
const identity = () => new CognitoIdentity(new CognitoIdentityProviderClient({ region: 'eu-central-1' }), 'pool-1', 'client-1');

beforeEach(() => cognito.reset());

describe('CognitoIdentity', () => {
  it('signs in with ADMIN_USER_PASSWORD_AUTH and answers the ID token', async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { IdToken: 'id-token', ExpiresIn: 1800 } });
    expect(await identity().authenticate('acme', 'secret-password')).toEqual({ token: 'id-token', expiresIn: 1800 });
    expect(cognito.commandCalls(AdminInitiateAuthCommand)[0]!.args[0].input).toMatchObject({
      UserPoolId: 'pool-1',
      ClientId: 'client-1',
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'acme', PASSWORD: 'secret-password' },
    });
  });

  it('turns a refused sign-in into undefined but lets an outage through', async () => {
    cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));
    expect(await identity().authenticate('acme', 'wrong')).toBeUndefined();
    expect(await identity().verifyPassword('acme', 'wrong')).toBe(false);
    cognito.on(AdminInitiateAuthCommand).rejects(new InternalErrorException({ message: 'boom', $metadata: {} }));
    await expect(identity().authenticate('acme', 'x')).rejects.toThrow('boom');
  });

  it("completes the one-time password's NEW_PASSWORD_REQUIRED challenge only when a new password is given", async () => {
    cognito.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'sess-1' });
    cognito.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { IdToken: 'after-challenge', ExpiresIn: 3600 } });
    expect(await identity().authenticate('operator', 'one-time-pw')).toBe('NEW_PASSWORD_REQUIRED');
    expect(cognito.commandCalls(AdminRespondToAuthChallengeCommand)).toHaveLength(0);

    // Throttling is the use case's, tested against DynamoDB Local in test/api/login-throttle.test.ts.
    const unthrottled = { count: async () => ({ attempts: 1, windowEndsAt: 0 }), succeeded: async () => undefined };
    const deps = { identity: identity(), passwordPolicy: DEFAULT_PASSWORD_POLICY, loginThrottle: unthrottled, loginLimits: LOGIN_THROTTLE };
    await expect(login(deps, { username: 'operator', password: 'one-time-pw', address: '192.0.2.1' })).rejects.toMatchObject({ code: 'NEW_PASSWORD_REQUIRED' });
    await expect(login(deps, { username: 'operator', password: 'one-time-pw', newPassword: 'short', address: '192.0.2.1' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { newPassword: expect.stringMatching(/at least 12/) },
    });
    expect(await login(deps, { username: 'operator', password: 'one-time-pw', newPassword: 'the-real-operator-password', address: '192.0.2.1' })).toEqual({
      token: 'after-challenge',
      expiresIn: 3600,
    });
    expect(cognito.commandCalls(AdminRespondToAuthChallengeCommand)[0]!.args[0].input).toMatchObject({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 'sess-1',
      ChallengeResponses: { USERNAME: 'operator', NEW_PASSWORD: 'the-real-operator-password' },
    });
  });

  it('registers a reseller: created silently with its tenant claim, a permanent password, in its group', async () => {
    cognito.on(AdminCreateUserCommand).resolves({});
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    await identity().register({ username: 'acme', role: 'reseller', resellerId: 'r123', locked: false }, 'a-long-password');
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      Username: 'acme',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'custom:resellerId', Value: 'r123' }],
    });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)[0]!.args[0].input).toMatchObject({ Password: 'a-long-password', Permanent: true });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input).toMatchObject({ GroupName: 'reseller' });
  });

  it('locks and unlocks by disabling and enabling the user', async () => {
    cognito.on(AdminDisableUserCommand).resolves({});
    cognito.on(AdminEnableUserCommand).resolves({});
    await identity().setLocked('acme', true);
    await identity().setLocked('acme', false);
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(1);
    expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(1);
  });
});
