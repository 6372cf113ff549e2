/**
 * A small program against the TypeScript client that openapi-typescript generates from
 * /openapi.json (test/contract/openapi-document.test.ts writes ./generated/api.ts, git-ignored, then
 * type-checks this file with ./tsconfig.json). It fails to compile when responses are untyped.
 */
import type { components, paths } from './generated/api';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

type CreateUserBody = Json<paths['/users']['post']['requestBody']>;
type CreatedUser = Json<paths['/users']['post']['responses']['201']>;
type DryRun = Json<paths['/users']['post']['responses']['200']>;
type Account = Json<paths['/users/{username}/billing']['get']['responses']['200']>;
type Plan = Json<paths['/templates/{templateId}/plan']['put']['requestBody']>['plan'];
type ConflictCode = Json<components['responses']['Error409']>['error']['code'];

export function use(created: CreatedUser, dry: DryRun, account: Account): string[] {
  const body: CreateUserBody = { personal: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' } };
  const plan: Plan = { name: 'Starter', resources: { traffic: { free: '10', recurrent: '2' } } };
  const code: ConflictCode = 'HARD_LIMIT';
  // @ts-expect-error a code that is not in the catalogue
  const notACode: ConflictCode = 'NOPE';
  // @ts-expect-error the balance is a decimal string, not a number
  const balance: number = account.balance;
  return [created.username, created.provisioning.status, String(dry.dryRun), account.balance, body.personal.email, plan.name, code, notACode, String(balance)];
}
