import { randomBytes } from 'node:crypto';
import { circularDone, settled } from './mail';
import { api, giveIps, newUser, operator, randomIp, waitProvisioned, type TestReseller } from './api';

/**
 * How a reseller comes to own the thing a path parameter names, for the tenancy matrix.
 * A route whose path has a parameter with no fixture here fails the matrix: a new kind of id
 * cannot slip past the test. Fixtures receive the owner, the parameters resolved so far and, when
 * the fixture is for one route only, its path (a fixture may then build only what that route reaches).
 */
export type Fixture = (owner: TestReseller, resolved: Record<string, string>, forPath?: string) => Promise<string>;

export const FIXTURES: Record<string, Fixture> = {
  resellerId: async (owner) => owner.id,
  clientId: async (owner) => {
    const res = await api('POST', '/api-clients', { token: owner.token, body: { name: 'fixture', scopes: ['users:read'] } });
    if (res.status !== 201) throw new Error(`API client fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.clientId;
  },
  skinName: async (owner) => {
    const res = await api('POST', '/skins', { token: owner.token, body: { name: 'fixture-skin', from: 'classic' } });
    if (res.status !== 201) throw new Error(`skin fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.name;
  },
  templateId: async (owner) => {
    const res = await api('POST', '/templates', { token: owner.token, body: { name: 'fixture', limits: { storageMb: 10 } } });
    if (res.status !== 201) throw new Error(`template fixture: ${res.status} ${JSON.stringify(res.body)}`);
    // With a billing plan, so the plan routes reach it too.
    const plan = await api('PUT', `/templates/${res.body.id}/plan`, { token: owner.token, body: { plan: { name: 'Fixture', resources: { traffic: { free: '10' } } } } });
    if (plan.status !== 200) throw new Error(`plan fixture: ${plan.status} ${JSON.stringify(plan.body)}`);
    return res.body.id;
  },
  /**
   * A user with an exclusive IP, the SSL service and a self-signed certificate, and a billing
   * account on a plan, so every user route reaches it. For one route only (`forPath`), the
   * certificate only for an /ssl route and the billing account only for a /billing route: the
   * certificate's key and its second push are most of the fixture's cost.
   */
  username: async (owner, _resolved, forPath) => {
    const ssl = forPath === undefined || forPath.includes('/ssl');
    const billing = forPath === undefined || forPath.includes('/billing');
    let user;
    if (ssl) {
      const ip = randomIp();
      await giveIps(owner.id, [ip]);
      user = await newUser(owner, { services: { ssl: true }, ip, domains: [{ name: `${owner.username}.example.com` }] });
      const cert = await api('POST', `/users/${user.username}/ssl/self-signed`, { token: owner.token, body: { country: 'DE', organization: 'Fixture' } });
      if (cert.status !== 201) throw new Error(`certificate fixture: ${cert.status} ${JSON.stringify(cert.body)}`);
    } else {
      user = await newUser(owner);
    }
    if (billing) {
      const tpl = await api('POST', '/templates', { token: owner.token, body: { name: 'billing fixture', limits: { storageMb: 10 } } });
      const plan = await api('PUT', `/templates/${tpl.body.id}/plan`, {
        token: owner.token,
        body: { plan: { name: 'Fixture', resources: { traffic: { free: '10', recurrent: '1', usage: '1' } }, creditLimit: '100', billingPeriods: [1, 3] } },
      });
      if (plan.status !== 200) throw new Error(`plan fixture: ${plan.status} ${JSON.stringify(plan.body)}`);
      const acct = await api('POST', `/users/${user.username}/billing`, { token: owner.token, body: { templateId: tpl.body.id } });
      if (acct.status !== 201) throw new Error(`billing fixture: ${acct.status} ${JSON.stringify(acct.body)}`);
    }
    // The provisioning worker changes the user's status in the background: let it settle first.
    await waitProvisioned(owner, user.username);
    return user.username;
  },
  /** A fresh hosting server registered by the operator (servers are operator-only). */
  serverId: async () => {
    const id = `fx-${randomBytes(5).toString('hex')}`;
    const res = await api('POST', '/operator/servers', { token: await operator(), body: { id, name: 'fixture server', addresses: ['192.0.2.1'], capacity: 10 } });
    if (res.status !== 201) throw new Error(`server fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return id;
  },
  /** A circular of the owner (to its users, none here: it is done at once). */
  circularId: async (owner) => {
    const res = await api('POST', '/circulars', { token: owner.token, body: { subject: 'fixture', text: 'Hello ##firstName##' } });
    if (res.status !== 202) throw new Error(`circular fixture: ${res.status} ${JSON.stringify(res.body)}`);
    // It finishes in the background: let it (and its message log notice) settle first.
    await circularDone(owner, res.body.id);
    return res.body.id;
  },
  /** An outbox message of the owner: a registration e-mail queued at the creation of a user. */
  messageId: async (owner) => {
    const user = await newUser(owner, { sendEmail: true });
    await settled(owner, user.registrationEmail.messageId);
    await waitProvisioned(owner, user.username);
    return user.registrationEmail.messageId;
  },
  /** Runs are the operator's (no tenant owns one): any well-formed id reaches the route. */
  runId: async () => 'billing-2027-01-01',
  /** A webhook endpoint of the owner (to a closed loopback port: its attempts fail and are retried). */
  webhookId: async (owner) => {
    const res = await api('POST', '/webhooks', { token: owner.token, body: { url: 'http://127.0.0.1:9/hooks', events: ['user.created'] } });
    if (res.status !== 201) throw new Error(`webhook fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  },
  /**
   * A delivery of a user.created event to the webhook resolved before, once its first two attempts
   * failed (the next is minutes away, so what the owner reads stays put during the test).
   */
  deliveryId: async (owner, resolved) => {
    const user = await newUser(owner);
    const end = Date.now() + 30_000;
    for (;;) {
      const res = await api('GET', `/webhooks/${resolved.webhookId}/deliveries`, { token: owner.token });
      const d = res.body?.items?.[0];
      if (d && res.body.items.length >= 2) {
        await waitProvisioned(owner, user.username);
        return d.deliveryId;
      }
      if (Date.now() > end) throw new Error(`delivery fixture: not two attempts in 30 s: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  },
  ip: async (owner, resolved) => {
    const ip = randomIp();
    await giveIps(resolved.resellerId ?? owner.id, [ip]);
    return ip;
  },
};
