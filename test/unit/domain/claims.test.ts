import { describe, expect, it } from 'vitest';
import { claimsFor, principalFromClaims } from '../../../shared/adapters/claims';

describe('principalFromClaims', () => {
  it('reads API Gateway string arrays and real arrays alike', () => {
    const gw = { 'cognito:username': 'acme', 'cognito:groups': '[reseller]', 'custom:resellerId': 'r1' };
    expect(principalFromClaims(gw)).toEqual({ role: 'reseller', username: 'acme', resellerId: 'r1' });
    expect(principalFromClaims(claimsFor({ role: 'operator', username: 'operator' }))).toEqual({ role: 'operator', username: 'operator' });
  });

  it('refuses a reseller without a tenant, an unknown group or no username', () => {
    expect(principalFromClaims({ 'cognito:username': 'x', 'cognito:groups': '[reseller]' })).toBeUndefined();
    expect(principalFromClaims({ 'cognito:username': 'x', 'cognito:groups': '[admins]' })).toBeUndefined();
    expect(principalFromClaims({ 'cognito:groups': '[operator]' })).toBeUndefined();
    expect(principalFromClaims(undefined)).toBeUndefined();
  });
});
