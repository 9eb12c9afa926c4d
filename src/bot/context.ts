/**
 * What every listener shares: the services (BotDeps), who is acting (Person), the role
 * checks that answer and record a refusal, sending an action, opening a modal, and
 * telling a person something only they see.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AuditRow, AuditSource } from '../audit/export';
import type { SecurityLog } from '../audit/security-log';
import { availableActions } from '../domain/checklist';
import { headline } from '../domain/headline';
import type { SetupView } from '../domain/state';
import { isPlaidSetupError } from '../errors';
import type { Logger } from '../logger';
import { HISTORY_READERS, ROLE_VARIABLES, ROLES, type Actor, type Role } from '../shared/schemas';
import type { RoleDirectory } from '../slack/directory';
import { ACTION_BUTTONS, BUTTON_ACTIONS, type ButtonId, type ViewMetadata } from '../slack/ids';
import { credentialsModal, productionSecretModal, rejectModal, rotateKindModal, rotateModal, settingsModal } from '../slack/views';
import { escapeMrkdwn } from '../slack/views/text';
import type { ActOptions, SetupClient } from '../temporal/client/setups';
import type { Vault } from '../vault/vault';
import type { SecretLinks } from './secret-form/links';
import { ACTION_NAMES, START_ROLE, declarationOf, type ActionArgs, type ActionName, type ActionForm } from '../shared/actions';

export interface BotDeps {
  setups: SetupClient;
  audit: AuditSource;
  vault: Vault;
  directory: RoleDirectory;
  security: SecurityLog;
  logger: Logger;
  /** Present when secrets are entered through one-time links (PLAID_SETUP_SECRET_ENTRY=link): no modal asks for one. */
  links?: SecretLinks;
}

/** Tells one person something privately. */
export type Tell = (text: string) => Promise<void>;

/**
 * Who clicked: the actor sent to the workflow, and for the bot's own early answers their
 * roles now. The worker decides again from the groups the bot asserts.
 */
export interface Person {
  actor: Actor;
  roles: Role[];
  groups: string[];
}

type Modal = (meta: ViewMetadata, view: SetupView) => object;

/** The modal each form of shared/actions.ts is in Slack. */
const MODALS: Record<ActionForm, Modal> = {
  credentials: credentialsModal,
  settings: settingsModal,
  productionSecret: productionSecretModal,
  reject: rejectModal,
  rotate: rotateModal,
};

/** The actions that collect their fields in a form first. */
const FORM_ACTIONS = ACTION_NAMES.flatMap((action) => {
  const form = declarationOf(action).form;
  return form ? [{ action, form, button: ACTION_BUTTONS[action] }] : [];
});

/** Buttons that open a modal instead of acting at once. Maps: keys come from Slack payloads, and a Map has no prototype keys. */
export const MODAL_BUTTONS: ReadonlyMap<ButtonId, Modal> = new Map(FORM_ACTIONS.map((f) => [f.button, MODALS[f.form]]));

/** The same modals, reached from a slash subcommand: every action with a form. */
export const MODAL_ACTIONS: ReadonlyMap<ActionName, ButtonId> = new Map(FORM_ACTIONS.map((f) => [f.action, f.button]));

export class BotContext {
  constructor(readonly deps: BotDeps) {}

  async personOf(user: { id: string; name?: string; username?: string }): Promise<Person> {
    const { directory } = this.deps;
    const displayName = await directory.displayNameOf(user.id, user.name ?? user.username ?? user.id);
    const groups = await directory.groupsOf(user.id);
    return { actor: { id: user.id, displayName, source: 'slack' }, roles: await directory.rolesOf(user.id), groups };
  }

  /** The role check at the moment of the click; a denial is a security event. */
  async allowed(person: Person, action: ActionName | 'start', setupId: string | undefined, tell: Tell): Promise<boolean> {
    const role = action === 'start' ? START_ROLE : declarationOf(action).role;
    if (person.roles.includes(role)) return true;
    await this.deps.security.record({ kind: 'denied', actor: person.actor.id, action, ...(setupId ? { setupId } : {}), detail: `needs the ${role} role` });
    await tell(`You can't do that: ${action} needs the ${role} role, and you are not listed in ${ROLE_VARIABLES[role]}. Ask an admin of plaid-setup.`);
    return false;
  }

  /** Any role at all, for reading setups (status, list); a refusal is a security event. */
  async hasAnyRole(person: Person, what: string, tell: Tell): Promise<boolean> {
    if (person.roles.length > 0) return true;
    await this.deps.security.record({ kind: 'denied', actor: person.actor.id, action: what, detail: 'needs a plaid-setup role' });
    await tell(
      `You can't see setups: that needs a plaid-setup role, and you are not listed in ${ROLES.map((r) => ROLE_VARIABLES[r]).join(', ')}. Ask an admin of plaid-setup.`,
    );
    return false;
  }

  /**
   * A setup's audit record for `person`, or undefined once they were told why not: they lack
   * the role (refused and recorded), there is no such setup, or the record cannot be read.
   */
  async recordFor(person: Person, setupId: string, tell: Tell): Promise<AuditRow[] | undefined> {
    if (!HISTORY_READERS.some((role) => person.roles.includes(role))) {
      await this.deps.security.record({ kind: 'denied', actor: person.actor.id, action: 'history', setupId, detail: 'needs the auditor or operator role' });
      await tell(
        `You can't read audit records: that needs the auditor or operator role, and you are not listed in ${ROLE_VARIABLES.auditor} or ${ROLE_VARIABLES.operator}. Ask an admin of plaid-setup.`,
      );
      return undefined;
    }
    try {
      const rows = await this.deps.audit.record(setupId);
      if (!rows) await tell(this.deps.setups.notFound(setupId).message);
      return rows;
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
      return undefined;
    }
  }

  /** Sends the action; a refusal (recorded by the setups client) is told to the person. */
  async perform<N extends ActionName>(setupId: string, action: N, args: ActionArgs<N>, options: ActOptions, tell: Tell): Promise<SetupView | undefined> {
    try {
      return await this.deps.setups.act(setupId, action, args, options);
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
      return undefined;
    }
  }

  async openModal(client: WebClient, triggerId: string, button: ButtonId, meta: ViewMetadata, person: Person, tell: Tell): Promise<void> {
    let build = MODAL_BUTTONS.get(button);
    if (!build) return;
    const form = declarationOf(BUTTON_ACTIONS[button]).form;
    try {
      const view = await this.deps.setups.view(meta.setupId);
      // No form for what the checklist would refuse anyway: say why instead.
      if (!availableActions(view).includes(BUTTON_ACTIONS[button])) {
        await tell(notNow(view));
        return;
      }
      const { links } = this.deps;
      if (links && (form === 'credentials' || form === 'productionSecret')) {
        const purpose = form === 'credentials' ? 'credentials' : 'production';
        await tell(await links.offer({ userId: person.actor.id, setupId: view.setupId, setupName: view.name, purpose, ...(meta.channel ? { channel: meta.channel } : {}) }));
        return;
      }
      // With links, the rotation's modal only asks which secret; the link for it follows.
      if (links && form === 'rotate') build = rotateKindModal;
      // A rejection typed without a request id is about the request the modal shows.
      const bound = button === ACTION_BUTTONS.rejectProduction && !meta.requestId && view.production ? { ...meta, requestId: view.production.id } : meta;
      await client.views.open({ trigger_id: triggerId, view: build(bound, view) as never });
    } catch (err) {
      if (isPlaidSetupError(err)) await tell(err.message);
      else throw err;
    }
  }
}

function notNow(view: SetupView): string {
  if (view.status === 'cancelled') return `Setup *${escapeMrkdwn(view.name)}* was cancelled; start a new one instead.`;
  if (view.job) return `A check is running on *${escapeMrkdwn(view.name)}*; wait for it to finish.`;
  return `That can't be done on *${escapeMrkdwn(view.name)}* now (${headline(view)}). Run \`/plaid-setup status ${view.setupId}\` to see what is next.`;
}

/** Where to tell a person something only they should see. */
export function tellerFor(client: WebClient, user: string, channel: string | undefined, respond?: RespondFn): Tell {
  return async (text) => {
    if (respond) {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } else if (channel) {
      await client.chat.postEphemeral({ channel, user, text });
    } else {
      await client.chat.postMessage({ channel: user, text });
    }
  };
}
