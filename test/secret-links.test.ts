/**
 * Secrets off Slack: the bot answers a secret button with a one-time link, private to the
 * person who clicked, to a form it serves itself. The tests try every way round the link's
 * rules: a second use, a replaced or expired link, a token never issued, a post from
 * another site, a huge body, fields for another setup or another secret kind, and they
 * check what Slack saw: never a secret.
 */
import type { PlaidEmulator } from '../src/emulators/plaid';
import { SECRET_LINK_TTL_MS } from '../src/secret-links/store';
import { BUTTONS, FIELDS } from '../src/slack/ids';
import type { SetupView } from '../src/domain/state';
import { fingerprint } from '../src/vault/vault';
import { type Harness, actors, journeyToEnablement, newSecret, waitFor } from './support/harness';
import {
  CHANNEL,
  checklistWhen,
  clickChecklist,
  enterSecrets,
  linksTo,
  nextLink,
  postForm,
  privateTo,
  startSlackWorld,
  stateWhen,
  users,
  type SlackWorld,
} from './support/slack-world';
import { useWorld } from './support/world';

let plaid: PlaidEmulator;
let h: Harness;
useWorld((w) => ({ plaid, h } = w));

let world: SlackWorld;
afterEach(async () => {
  await world?.close();
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

async function startAt(name: string): Promise<void> {
  await world.driver.slash(users.alice, `start ${name}`, { channel: CHANNEL });
  await clickChecklist(world, users.alice, BUTTONS.confirmRedirect);
  await checklistWhen(world, (t) => t.includes(BUTTONS.openCredentials), 'the credentials button');
}

async function linkFromButton(button: string): Promise<string> {
  const seen = linksTo(world, users.alice);
  await clickChecklist(world, users.alice, button);
  return nextLink(world, users.alice, seen);
}

/** The status, or `closed` when the server cut the connection while the client was still sending. */
const statusOrClosed = (sent: Promise<{ status: number }>) => sent.then((r) => String(r.status)).catch(() => 'closed');

const securityKinds = async (setupId: string) => (await world.security.list({ setupId })).map((e) => [e.kind, e.actor, e.action]);

test('a credentials link: private, one form, used once; bad fields keep it live; a second use, another site and a huge body are refused', async () => {
  let clock = Date.now();
  world = await startSlackWorld(h, { now: () => clock });
  const secret = h.client.secrets.sandbox;
  await world.worker.runUntil(async () => {
    await startAt('linked');
    const url = await linkFromButton(BUTTONS.openCredentials);
    // No modal: the button answered privately with the link.
    expect(world.slack.openViews(users.alice.id)).toEqual([]);
    expect(privateTo(world, users.alice)).toContain('It works once, only for you, for 10 minutes');
    expect(world.slack.ephemeralMessages(users.olga.id)).toEqual([]);
    expect(new URL(url).origin).toBe(world.bot.origin);

    const shown = await fetch(url);
    expect(shown.status).toBe(200);
    expect(Object.fromEntries(['cache-control', 'referrer-policy', 'x-frame-options', 'x-content-type-options'].map((k) => [k, shown.headers.get(k)]))).toEqual({
      'cache-control': 'no-store',
      'referrer-policy': 'same-origin',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
    });
    expect(shown.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'/);
    const html = await shown.text();
    expect(html).toContain(`name="${FIELDS.sandboxSecret}" type="password"`);
    expect(html).not.toContain('<script');

    // Mistyped: the form again with what to fix, nothing stored, nothing typed echoed, the link still live.
    const typed = newSecret().slice(0, 20);
    const before = await world.setups.view('linked');
    const bad = await postForm(url, { [FIELDS.clientId]: 'not-a-client-id', [FIELDS.sandboxSecret]: typed });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('A Plaid client_id is 24 hexadecimal characters');
    expect(bad.text).toContain('A Plaid secret is 30 hexadecimal characters');
    expect(bad.text).not.toContain(typed);
    expect(bad.text).not.toContain('not-a-client-id');
    expect((await world.setups.view('linked')).version).toBe(before.version);

    // Another site's page cannot post it, and a huge body is cut off: the link stays live.
    expect((await postForm(url, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: secret }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(await statusOrClosed(postForm(url, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: 'a'.repeat(64 * 1024) }))).toMatch(/^(413|closed)$/);
    expect((await world.setups.view('linked')).version).toBe(before.version);

    // Right: stored and sent as Alice; she is told in Slack by fingerprint.
    const saved = await postForm(url, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: secret, setupId: 'other', actor: users.olga.id });
    expect(saved.status).toBe(200);
    expect(saved.text).toMatch(/Sandbox secret sha256:[0-9a-f]{12}/);
    const after = await stateWhen(world, 'linked', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials from the form');
    expect(stepOf(after, 'sandbox_credentials').actor?.id).toBe(users.alice.id);
    await waitFor(() => privateTo(world, users.alice), (t) => t.includes('Received from the one-time form for *linked*'), 'the Slack confirmation');

    // Used: a second post or a reload is refused and recorded; nothing changes.
    const again = await postForm(url, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: newSecret() });
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link was already used');
    expect((await fetch(url)).status).toBe(410);
    expect((await world.setups.view('linked')).data.sandboxSecret).toEqual(after.data.sandboxSecret);

    // A token never issued, and one that merely looks like ours.
    const forged = `${world.bot.origin}/secrets/${'A'.repeat(43)}`;
    expect((await fetch(forged)).status).toBe(404);
    expect((await postForm(`${world.bot.origin}/secrets/short`, { [FIELDS.sandboxSecret]: secret })).status).toBe(404);

    // Replaced by a newer link, and expired.
    const first = await linkFromButton(BUTTONS.openCredentials);
    const second = await linkFromButton(BUTTONS.openCredentials);
    expect((await fetch(first)).status).toBe(410);
    expect(await (await fetch(first)).text()).toContain('This link was replaced');
    clock += SECRET_LINK_TTL_MS + 1;
    const late = await postForm(second, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: secret });
    expect(late.status).toBe(410);
    expect(late.text).toContain('This link has expired');
  });

  const kinds = await securityKinds('linked');
  expect(kinds.filter(([k]) => k === 'secret_link_issued')).toEqual(Array(3).fill(['secret_link_issued', users.alice.id, 'submitCredentials']));
  expect(kinds.filter(([k]) => k === 'secret_link_used')).toEqual([['secret_link_used', users.alice.id, 'submitCredentials']]);
  // Used twice (post and reload) and replaced twice are counted per source and minute; the expiry is its own row.
  const refused = (await world.security.list({ setupId: 'linked' })).filter((e) => e.kind === 'secret_link_refused').map((e) => e.detail);
  expect(refused.join('\n')).toMatch(/was opened again: used/);
  expect(refused.join('\n')).toMatch(/was opened again: superseded/);
  expect(refused.join('\n')).toMatch(/was opened again: expired/);
  const anonymous = (await world.security.list()).filter((e) => e.kind === 'secret_link_refused' && !e.setupId).map((e) => e.detail);
  expect(anonymous.join('\n')).toMatch(/never issued/);
  expect(anonymous.join('\n')).toMatch(/posted from another site/);

  // Slack never carried the secret, nor the half-typed one.
  expect(JSON.stringify([world.slack.calls, world.driver.responses, world.slack.messages()])).not.toContain(secret);
});

test('a link acts only on its own setup and secret kind, and only while its step is open', async () => {
  world = await startSlackWorld(h);
  await world.worker.runUntil(async () => {
    await world.driver.slash(users.alice, 'start bound', { channel: CHANNEL });
    await checklistWhen(world, (t) => t.includes(BUTTONS.confirmRedirect), 'the checklist');
    await journeyToEnablement(h, 'bound');
    // A credentials link taken now and used once the setup is enabled: refused, and the secret leaves the vault again.
    const early = await linkFromButton(BUTTONS.openCredentials);
    await h.act('bound', 'enable', { actor: actors.olga });
    const late = newSecret();
    const refused = await postForm(early, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: late });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Not accepted');
    expect((await world.setups.view('bound')).data.sandboxSecret?.fingerprint).not.toBe(fingerprint(late));

    // The rotation's modal asks only which secret; the Sandbox link then takes a Sandbox secret, whatever the post says.
    const fresh = newSecret();
    plaid.updateClient(h.clientId, { extraSecrets: { sandbox: [fresh] } });
    const seen = linksTo(world, users.alice);
    await clickChecklist(world, users.alice, BUTTONS.openRotate);
    const modal = await waitFor(() => world.slack.openViews(users.alice.id)[0], Boolean, 'the rotation modal');
    expect(JSON.stringify(modal!.blocks)).not.toContain(FIELDS.rotateSecret);
    await world.driver.submit(users.alice, modal!.id, { [FIELDS.rotateKind]: 'sandbox' });
    const url = await nextLink(world, users.alice, seen);
    const before = (await world.setups.view('bound')).data.productionSecret;
    const rotated = await postForm(url, { [FIELDS.rotateSecret]: fresh, [FIELDS.rotateKind]: 'production', [FIELDS.productionSecret]: newSecret(), setupId: 'other' });
    expect(rotated.status).toBe(200);
    const done = await stateWhen(world, 'bound', (v) => !v.job && v.rotation?.status === 'done', 'the Sandbox rotation');
    expect(done.rotation?.kind).toBe('sandbox');
    expect(done.data.sandboxSecret?.fingerprint).toBe(fingerprint(fresh));
    expect(done.data.productionSecret).toEqual(before);
  });
  const kinds = await securityKinds('bound');
  expect(kinds).toContainEqual(['secret_link_used', users.alice.id, 'submitCredentials']);
  expect(kinds).toContainEqual(['secret_link_used', users.alice.id, 'rotateSecret']);
});

test('Socket Mode: the bot still serves the form on its own port', async () => {
  world = await startSlackWorld(h, { socketMode: true });
  await world.worker.runUntil(async () => {
    await startAt('socketed');
    const sent = await enterSecrets(world, users.alice, BUTTONS.openCredentials, { [FIELDS.clientId]: h.clientId, [FIELDS.sandboxSecret]: h.client.secrets.sandbox });
    expect(sent.status).toBe(200);
    await stateWhen(world, 'socketed', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials over the socket and the form');
  });
});
