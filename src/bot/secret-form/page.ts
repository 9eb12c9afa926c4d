/**
 * The pages of the one-time secret form: the form itself, and one-message pages for the
 * outcome or a link that no longer works. Plain HTML with no script; secrets are password
 * inputs (Slack has no masked field) and nothing typed is ever written back into a page.
 */
import { createHash } from 'node:crypto';
import { FIELDS } from '../../slack/ids';
import type { FieldErrors } from '../../slack/views/submissions';
import type { SecretLink, SecretLinkPurpose } from '../../secret-links/store';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}' +
  'label{display:block;font-weight:600;margin-top:1.2rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}' +
  '.hint{color:#616061;font-size:.9rem;margin:.2rem 0}.error{color:#b00020;font-size:.9rem;margin:.2rem 0}' +
  'button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;background:#007a5a;color:#fff;border:0;border-radius:4px}';

/** The CSP names the one style block by its hash: no other style or any script can run. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const KEYS = 'Plaid Dashboard > Team Settings > Keys';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** What each purpose asks for, in the words of the checklist. */
export const PURPOSE_TITLES: Record<SecretLinkPurpose, string> = {
  credentials: 'Plaid credentials',
  production: 'Production secret',
  'rotate-sandbox': 'New Sandbox secret',
  'rotate-production': 'New Production secret',
};

interface Field {
  name: string;
  label: string;
  hint: string;
  secret: boolean;
  optional?: boolean;
}

const SECRET_HINT = '30 lowercase hexadecimal characters. It goes from this page to the encrypted vault; Slack never sees it.';

function fieldsOf(purpose: SecretLinkPurpose): Field[] {
  switch (purpose) {
    case 'credentials':
      return [
        { name: FIELDS.clientId, label: 'client_id', hint: `24 hexadecimal characters, from ${KEYS} (not a secret).`, secret: false },
        { name: FIELDS.sandboxSecret, label: 'Sandbox secret', hint: SECRET_HINT, secret: true },
        {
          name: FIELDS.developmentSecret,
          label: 'Development secret (optional, legacy)',
          hint: 'Plaid retired the Development environment in June 2024: leave this empty unless you still have one to record.',
          secret: true,
          optional: true,
        },
      ];
    case 'production':
      return [{ name: FIELDS.productionSecret, label: 'Production secret', hint: `${SECRET_HINT} Plaid Production checks it before it replaces anything.`, secret: true }];
    case 'rotate-sandbox':
    case 'rotate-production':
      return [
        {
          name: FIELDS.rotateSecret,
          label: purpose === 'rotate-sandbox' ? 'New Sandbox secret' : 'New Production secret',
          hint: `${SECRET_HINT} Plaid checks it before it replaces the current one.`,
          secret: true,
        },
      ];
  }
}

/** The form fields a purpose takes: nothing else in a submission is read. */
export const formFields = (purpose: SecretLinkPurpose): string[] => fieldsOf(purpose).map((f) => f.name);

function document(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="same-origin"><title>${escapeHtml(title)} · plaid-setup</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export interface FormContext {
  link: SecretLink;
  /** The setup's name as the checklist shows it. */
  setupName: string;
  /** The client_id the setup holds now, to prefill (it is not a secret). */
  clientId?: string;
  errors?: FieldErrors;
}

export function formPage({ link, setupName, clientId, errors = {} }: FormContext): string {
  const inputs = fieldsOf(link.purpose)
    .map((f) => {
      const value = f.name === FIELDS.clientId && clientId ? ` value="${escapeHtml(clientId)}"` : '';
      const type = f.secret ? 'password' : 'text';
      const error = errors[f.name] ? `<p class="error" id="${f.name}-error">${escapeHtml(errors[f.name] as string)}</p>` : '';
      return (
        `<label for="${f.name}">${escapeHtml(f.label)}</label>` +
        `<input id="${f.name}" name="${f.name}" type="${type}" maxlength="200" autocomplete="off" spellcheck="false"${f.optional ? '' : ' required'}${value}>` +
        `<p class="hint">${escapeHtml(f.hint)}</p>${error}`
      );
    })
    .join('');
  const expires = link.expiresAt.slice(11, 16);
  return document(
    PURPOSE_TITLES[link.purpose],
    `<h1>${escapeHtml(PURPOSE_TITLES[link.purpose])}</h1>` +
      `<p>Setup <strong>${escapeHtml(setupName)}</strong>. Copy from ${escapeHtml(KEYS)}. This link works once, for you, until ${expires} UTC.</p>` +
      `<form method="post" autocomplete="off">${inputs}<button type="submit">Save to the vault</button></form>`,
  );
}

/** A page that says one thing: the outcome, or why the link does not work. */
export function messagePage(title: string, lines: string[]): string {
  return document(title, `<h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}`);
}
