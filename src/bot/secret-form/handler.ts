/**
 * Serves the one-time secret form on the bot's HTTP port: GET /secrets/<token> shows it,
 * POST /secrets/<token> stores what was typed in the vault and sends the action, as the
 * Slack user the link was issued to, after checking their role again.
 *
 * A link is used up only by a submission that parses: a mistyped field shows the form
 * again with what to fix, and the link stays live. Every use is a security event of the
 * setup; every refusal (unknown, expired, used or replaced link, a post from another
 * site) is counted per source and minute, so a flood adds few rows.
 *
 * HTTPS-ready: it sends HSTS when PLAID_SETUP_PUBLIC_URL is https (TLS ends at the proxy
 * in front of the bot), never caches, sends no Referer to another site, cannot be framed,
 * and runs no script.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebClient } from '@slack/web-api';
import type { RefusalCounter } from '../../audit/refusal-counter';
import type { SetupView } from '../../domain/state';
import { isPlaidSetupError } from '../../errors';
import type { SecretLink, LinkLookup, LinkRefusal } from '../../secret-links/store';
import { FIELD_ACTION_ID, FIELDS } from '../../slack/ids';
import type { FieldErrors, SubmittedValues } from '../../slack/views/submissions';
import { actWithSecrets } from '../../temporal/client/secret-actions';
import { BodyRefused, readBoundedBody, refuseAndClose } from '../../http/body';
import { routedPath } from '../../http/path';
import { tellerFor, type BotContext } from '../context';
import { parseSubmission } from '../submission';
import { PURPOSES, SECRET_FORM_PATH, describeLink, type SecretLinks } from './links';
import { CONTENT_SECURITY_POLICY, PURPOSE_TITLES, formFields, formPage, messagePage } from './page';

/** Three secrets and a client_id, form-encoded, fit many times over. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;
const FORM_READ_TIMEOUT_MS = 10_000;

const REFUSALS: Record<LinkRefusal, { status: number; title: string; line: string }> = {
  unknown: { status: 404, title: 'This link does not work', line: 'It is not a link plaid-setup issued, or it was mistyped.' },
  expired: { status: 410, title: 'This link has expired', line: 'Links work for 10 minutes.' },
  used: { status: 410, title: 'This link was already used', line: 'Each link works once. If it was not you who used it, tell your plaid-setup admin now.' },
  superseded: { status: 410, title: 'This link was replaced', line: 'A newer link was issued for the same form; use that one.' },
};
const ASK_AGAIN = 'Ask for a new one in Slack: click the checklist button again.';

export interface SecretFormDeps {
  ctx: BotContext;
  links: SecretLinks;
  /** Tells the person in Slack how their submission went. */
  web: WebClient;
  refusals: RefusalCounter;
}

/** Handles the request if it is for the form; false leaves it to the next route. */
export function serveSecretForm(deps: SecretFormDeps, req: IncomingMessage, res: ServerResponse): boolean {
  const path = routedPath(req.url);
  if (!path?.startsWith(SECRET_FORM_PATH)) return false;
  const token = path.slice(SECRET_FORM_PATH.length);
  const method = (req.method ?? '').toUpperCase();
  void (async () => {
    if (method === 'GET' || method === 'HEAD') return show(deps, req, res, token);
    if (method === 'POST') return submit(deps, req, res, token);
    res.writeHead(405, { allow: 'GET, POST', ...headers(deps) }).end();
  })().catch((err: unknown) => {
    deps.ctx.deps.logger.error('Secret form request failed', { error: String((err as Error).message) });
    if (!res.headersSent) page(deps, res, 500, messagePage('Something went wrong', ['Nothing was stored. Try the link again, or ask for a new one in Slack.']));
  });
  return true;
}

function headers(deps: SecretFormDeps): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cache-control': 'no-store',
    // Not no-referrer: with it a browser posts the form with `Origin: null`, and the origin check could not tell our page from any other.
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(deps.links.origin().startsWith('https://') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

function page(deps: SecretFormDeps, res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, headers(deps)).end(html);
}

async function refuse(deps: SecretFormDeps, req: IncomingMessage, res: ServerResponse, lookup: Extract<LinkLookup, { ok: false }>): Promise<void> {
  const { link, reason } = lookup;
  const refusal = REFUSALS[reason];
  await deps.refusals.refuse({
    kind: 'secret_link_refused',
    source: req.socket.remoteAddress ?? 'unknown',
    reason,
    ...(link ? { setupId: link.setupId, actor: link.userId, action: PURPOSES[link.purpose].action } : {}),
    detail: link ? `The ${describeLink(link)} was opened again: ${reason}.` : 'A secret link that was never issued was opened.',
  });
  page(deps, res, refusal.status, messagePage(refusal.title, [refusal.line, ASK_AGAIN]));
}

async function show(deps: SecretFormDeps, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const lookup = await deps.links.store.peek(token);
  if (!lookup.ok) return refuse(deps, req, res, lookup);
  await showForm(deps, res, 200, lookup.link);
}

/** The form for `link`, with the setup's name and current client_id (not a secret), and any field errors. */
async function showForm(deps: SecretFormDeps, res: ServerResponse, status: number, link: SecretLink, errors?: FieldErrors): Promise<void> {
  const view = await deps.ctx.deps.setups.view(link.setupId);
  const clientId = view.data.clientId;
  page(deps, res, status, formPage({ link, setupName: view.name, ...(clientId ? { clientId } : {}), ...(errors ? { errors } : {}) }));
}

async function submit(deps: SecretFormDeps, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  // Only a page of ours posts here: a browser names the page's origin, and another site's differs.
  const origin = req.headers.origin;
  if ((origin !== undefined && origin !== deps.links.origin()) || req.headers['sec-fetch-site'] === 'cross-site') {
    await deps.refusals.refuse({ kind: 'secret_link_refused', source: req.socket.remoteAddress ?? 'unknown', reason: 'cross-site', detail: 'A secret form was posted from another site.' });
    return page(deps, res, 403, messagePage('Not accepted', ['This form can only be sent from its own page. Nothing was stored.']));
  }
  let body: Buffer;
  try {
    body = await readBoundedBody(req, { bytes: FORM_BODY_LIMIT_BYTES, timeoutMs: FORM_READ_TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof BodyRefused)) throw err;
    return refuseAndClose(req, res, err.status);
  }
  const looked = await deps.links.store.peek(token);
  if (!looked.ok) return refuse(deps, req, res, looked);
  const purpose = PURPOSES[looked.link.purpose];
  const parsed = parseSubmission(purpose.view, valuesOf(new URLSearchParams(body.toString('utf8')), looked.link));
  if (!parsed.ok) return showForm(deps, res, 400, looked.link, parsed.errors);
  // Used up here, by one request only, whatever the workflow says next.
  const redeemed = await deps.links.store.redeem(token);
  if (!redeemed.ok) return refuse(deps, req, res, redeemed);
  const link = redeemed.link;
  const { ctx } = deps;
  const tell = tellerFor(deps.web, link.userId, link.channel);
  const person = await ctx.personOf({ id: link.userId });
  const source = req.socket.remoteAddress ?? 'unknown';
  if (!(await ctx.allowed(person, parsed.action, link.setupId, tell))) {
    await used(deps, link, `refused: ${link.userId} no longer holds the role`, source);
    return page(deps, res, 403, messagePage('Not accepted', [`You no longer hold the role ${PURPOSE_TITLES[link.purpose]} needs. Nothing was stored.`]));
  }
  const meta = { setupId: link.setupId, ...(link.channel ? { channel: link.channel } : {}) };
  try {
    const view = await actWithSecrets(
      ctx.deps,
      link.setupId,
      parsed.action,
      parsed.secrets,
      (refs) => parsed.args(person.actor, refs, meta) as never,
      { updateId: `secret-link-${link.id}`, groups: person.groups },
    );
    await used(deps, link, 'accepted', source);
    const kept = fingerprints(view, link);
    await tell(`Received from the one-time form for *${view.name}*: ${kept}. Plaid is checking it; the checklist shows the result.`);
    page(deps, res, 200, messagePage('Saved to the vault', [`${kept}.`, 'Plaid is checking it now; the checklist in Slack shows the result. You can close this page.']));
  } catch (err) {
    if (!isPlaidSetupError(err)) throw err;
    await used(deps, link, `not accepted (${err.code})`, source);
    await tell(err.message);
    page(deps, res, 409, messagePage('Not accepted', [err.message, ASK_AGAIN]));
  }
}

/**
 * Slack-shaped values from the form: only the fields this purpose takes, and the rotation's
 * kind from the link, never from what was posted.
 */
function valuesOf(params: URLSearchParams, link: SecretLink): SubmittedValues {
  const values: SubmittedValues = {};
  for (const field of formFields(link.purpose)) {
    const value = params.get(field);
    if (value !== null) values[field] = { [FIELD_ACTION_ID]: { type: 'plain_text_input', value } };
  }
  const kind = PURPOSES[link.purpose].rotateKind;
  if (kind) values[FIELDS.rotateKind] = { [FIELD_ACTION_ID]: { type: 'radio_buttons', selected_option: { value: kind } } };
  return values;
}

/** What the setup now holds from this form, by fingerprint only. */
function fingerprints(view: SetupView, link: SecretLink): string {
  const d = view.data;
  const fp = (label: string, ref: { fingerprint: string } | undefined) => (ref ? `${label} ${ref.fingerprint}` : undefined);
  const parts =
    link.purpose === 'credentials'
      ? [d.clientId ? `client_id ${d.clientId}` : undefined, fp('Sandbox secret', d.sandboxSecret), fp('Development secret', d.developmentSecret)]
      : link.purpose === 'production'
        ? [fp('Production secret', d.pendingProductionSecret ?? d.productionSecret)]
        : [view.rotation ? `new ${view.rotation.kind} secret ${view.rotation.fingerprint}` : undefined];
  return parts.filter(Boolean).join(', ') || 'the secret';
}

async function used(deps: SecretFormDeps, link: SecretLink, outcome: string, source: string): Promise<void> {
  await deps.ctx.deps.security.record({
    kind: 'secret_link_used',
    actor: link.userId,
    action: PURPOSES[link.purpose].action,
    setupId: link.setupId,
    detail: `The ${describeLink(link)} was used from ${source}: ${outcome}.`,
  });
}
