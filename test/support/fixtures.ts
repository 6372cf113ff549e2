import type { TestReseller } from './api';

/**
 * How a reseller comes to own the thing a path parameter names, for the tenancy matrix.
 * A route whose path has a parameter with no fixture here fails the matrix: a new kind of id
 * cannot slip past the test. Fixtures receive the owner and the parameters resolved so far.
 */
export type Fixture = (owner: TestReseller, resolved: Record<string, string>) => Promise<string>;

export const FIXTURES: Record<string, Fixture> = {
  resellerId: async (owner) => owner.id,
};
