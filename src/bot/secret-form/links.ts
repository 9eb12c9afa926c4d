/**
 * Offering a one-time link: the bot issues it for the person who asked, records that it
 * did, and says in Slack what the link is for. What the purpose leads to (which action,
 * which form, which secret kind) is declared here once, for the offer and the form.
 */
import type { SecurityLog } from '../../audit/security-log';
import { SECRET_LINK_TTL_MS, type SecretLink, type SecretLinkPurpose, type SecretLinkStore } from '../../secret-links/store';
import { VIEWS, type ViewId } from '../../slack/ids';
import { escapeMrkdwn } from '../../slack/views/text';
import type { ActionName } from '../../shared/actions';
import { PURPOSE_TITLES } from './page';

/** The path the form is served under; the token follows it. */
export const SECRET_FORM_PATH = '/secrets/';

export const PURPOSES: Record<SecretLinkPurpose, { action: ActionName; view: ViewId; rotateKind?: 'sandbox' | 'production' }> = {
  credentials: { action: 'submitCredentials', view: VIEWS.credentials },
  production: { action: 'submitProductionSecret', view: VIEWS.productionSecret },
  'rotate-sandbox': { action: 'rotateSecret', view: VIEWS.rotate, rotateKind: 'sandbox' },
  'rotate-production': { action: 'rotateSecret', view: VIEWS.rotate, rotateKind: 'production' },
};

export class SecretLinks {
  constructor(
    readonly store: SecretLinkStore,
    private readonly security: Pick<SecurityLog, 'record'>,
    /** The origin browsers reach the bot at (known once the bot listens, when not configured). */
    readonly origin: () => string,
  ) {}

  /** Issues a link for `userId` and returns what to tell them (privately) in Slack. */
  async offer(request: { userId: string; setupId: string; setupName: string; purpose: SecretLinkPurpose; channel?: string }): Promise<string> {
    const { token, link } = await this.store.issue(request);
    await this.security.record({
      kind: 'secret_link_issued',
      actor: request.userId,
      action: PURPOSES[request.purpose].action,
      setupId: request.setupId,
      detail: `One-time link ${link.id} for the ${PURPOSE_TITLES[request.purpose]}, until ${link.expiresAt}.`,
    });
    const minutes = SECRET_LINK_TTL_MS / 60_000;
    return (
      `Enter the ${PURPOSE_TITLES[request.purpose]} for *${escapeMrkdwn(request.setupName)}* in this one-time form: <${this.urlOf(token)}|open the secure form>. ` +
      `It works once, only for you, for ${minutes} minutes; what you type there goes from your browser to the vault, never through Slack. ` +
      'Asking again replaces this link. Do not forward it.'
    );
  }

  urlOf(token: string): string {
    return `${this.origin()}${SECRET_FORM_PATH}${token}`;
  }
}

/** The links `offer` wrote into `text` (as Slack shows them: `<url|label>`), each once. */
export function linksIn(text: string): string[] {
  const pattern = new RegExp(`<(https?://[^|>]+${SECRET_FORM_PATH}[A-Za-z0-9_-]{43})\\|`, 'g');
  return [...new Set([...text.matchAll(pattern)].map((m) => m[1] as string))];
}

export const describeLink = (link: SecretLink): string => `link ${link.id} (${PURPOSE_TITLES[link.purpose]})`;
