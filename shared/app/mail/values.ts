import type { HostedUser } from '../../domain/controlpanel/users';
import type { Reseller } from '../../domain/reseller';

/** The values of the mail ##tags## for one user (the password only where the request has one). */
export function mailValues(user: HostedUser, reseller: Pick<Reseller, 'username'>, password?: string): Record<string, string> {
  return {
    username: user.username,
    ...(password !== undefined ? { password } : {}),
    firstName: user.personal.firstName,
    lastName: user.personal.lastName,
    company: user.personal.company ?? '',
    email: user.personal.email,
    domain: user.domains[0]?.name ?? '',
    domains: user.domains.map((d) => d.name).join(', '),
    template: user.templateName ?? '',
    reseller: reseller.username,
  };
}
