import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { IDENTITY_ROUTE_MODULES } from '../../functions/http/identity';

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('route table', () => {
  it('has each method and path once', () => {
    const keys = ROUTES.map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lets the identity function serve every identity route of the table (and only those)', () => {
    const served = IDENTITY_ROUTE_MODULES.flat().filter((r) => r.lambda === 'identity').map(key).sort();
    const table = ROUTES.filter((r) => r.lambda === 'identity').map(key).sort();
    expect(served).toEqual(table);
    expect(table).toContain('POST /auth/login');
  });
});
