/**
 * Stands in for @aws-sdk/credential-provider-node in Lambda bundles (an esbuild alias set in
 * infra/stacks/bundling.ts). Lambda always puts the function role's credentials in the
 * environment, so the default chain's SSO, INI, process, web-identity and IMDS providers are dead
 * weight: about 130 KB of every bundle. Never used outside the bundles.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
export const credentialsWillNeedRefresh = () => false;
export const credentialsTreatedAsExpired = () => false;
