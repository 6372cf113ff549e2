import * as z from 'zod';
import { createSelfSigned, deleteCertificate, getCertificate, listSslUsers, uploadCertificate } from '../../../shared/app/controlpanel/ssl';
import { reply, route } from '../route';
import { pageQuery } from './common';
import { usernameParam } from './users';
import { certificateView, installedCertificateView, sslUsersView } from '../responses';

const pemText = (what: string) => z.string({ error: `must be a PEM ${what}` }).min(1, { error: 'is required' }).max(20_000);
const text = (max: number) => z.string().trim().min(1, { error: 'is required' }).max(max);

export const sslRoutes = [
  route({
    method: 'GET',
    path: '/ssl/users',
    access: 'reseller',
    scopes: ['users:read'],
    tag: 'ssl',
    summary: 'Users who have an exclusive IP address, with their own certificate if any',
    query: pageQuery,
    status: 200,
    response: sslUsersView,
    handle: ({ deps, actor, query }) => listSslUsers(deps, actor, query),
  }),
  route({
    method: 'PUT',
    path: '/users/{username}/ssl',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'ssl',
    summary: 'Store a private key and certificate (PEM; the key must match); expiry and subject are reported; the key is never returned',
    params: usernameParam,
    body: z.strictObject({ privateKey: pemText('private key'), certificate: pemText('certificate') }),
    example: { privateKey: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----', certificate: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----' },
    status: 200,
    response: installedCertificateView,
    handle: ({ deps, actor, params, body }) => uploadCertificate(deps, actor, params.username as string, body),
  }),
  route({
    method: 'POST',
    path: '/users/{username}/ssl/self-signed',
    access: 'reseller',
    idempotent: true,
    scopes: ['users:write'],
    tag: 'ssl',
    summary: 'Create a self-signed certificate from company details (commonName defaults to the first domain)',
    params: usernameParam,
    body: z.strictObject({
      country: z.string().regex(/^[A-Za-z]{2}$/, { error: 'must be a two-letter country code' }),
      state: text(128).optional(),
      city: text(128).optional(),
      organization: text(64),
      organizationalUnit: text(64).optional(),
      commonName: z.string().regex(/^(\*\.)?[a-z0-9.-]{1,253}$/, { error: 'must be a host name' }).optional(),
      email: z.email({ error: 'must be an e-mail address' }).optional(),
      days: z.number().int({ error: 'must be a whole number' }).min(1).max(3650).default(365),
    }),
    example: { country: 'DE', city: 'Berlin', organization: 'Doe Ltd', days: 365 },
    status: 201,
    response: installedCertificateView,
    handle: ({ deps, actor, params, body }) => createSelfSigned(deps, actor, params.username as string, body),
  }),
  route({
    method: 'GET',
    path: '/users/{username}/ssl',
    access: 'reseller',
    scopes: ['users:read'],
    tag: 'ssl',
    summary: "The user's own certificate (PEM) with subject and expiry; never the private key",
    params: usernameParam,
    status: 200,
    response: certificateView,
    handle: ({ deps, actor, params }) => getCertificate(deps, actor, params.username as string),
  }),
  route({
    method: 'DELETE',
    path: '/users/{username}/ssl',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'ssl',
    summary: "Delete the user's own certificate and key",
    params: usernameParam,
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await deleteCertificate(deps, actor, params.username as string);
      return reply(204);
    },
  }),
];
