import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { HTTP_LAMBDAS, lambdaOf, type HttpLambda } from '../../functions/http/lambdas';
import type { Route } from '../../functions/http/route';

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('route table', () => {
  it('has each method and path once', () => {
    const keys = ROUTES.map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lets each function entry serve exactly the routes of its group', async () => {
    for (const name of Object.keys(HTTP_LAMBDAS) as HttpLambda[]) {
      const entry = (await import(`../../functions/http/lambdas/${name}.ts`)) as { routes: readonly Route[] };
      const served = entry.routes.map(key).sort();
      const table = ROUTES.filter((r) => lambdaOf(r) === name).map(key).sort();
      // A route missing here: import its route module in functions/http/lambdas/<name>.ts.
      expect(served, `functions/http/lambdas/${name}.ts`).toEqual(table);
    }
    expect(lambdaOf(ROUTES.find((r) => key(r) === 'POST /auth/login')!)).toBe('identity');
    expect(lambdaOf({ tag: 'a-tag-nobody-mapped' })).toBe('api');
  });
});
