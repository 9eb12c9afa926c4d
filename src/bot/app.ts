/**
 * The Slack bot: `/plaid-setup`, checklist buttons, modals and App Home, on Bolt 5.
 * Every handler acks first (Slack allows 3 s) and then works; every click is checked
 * against the clicker's roles now, and the workflow's validators check the rules again.
 * Secrets typed into modals go straight to the vault; only references leave this file.
 */
import type { App, BlockAction, ButtonAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { formatRecord, type AuditFormat, type AuditRow, type AuditSource } from '../audit/export';
import type { SecurityLog } from '../audit/security-log';
import { isPlaidSetupError } from '../errors';
import type { Logger } from '../logger';
import { ACTION_ROLES, HISTORY_READERS, ROLE_VARIABLES, ROLES, type ActionArgs, type ActionName, type Actor, type Role, type SecretRef } from '../shared/schemas';
import type { SetupView } from '../domain/state';
import { slackErrorName } from '../slack/client';
import type { RoleDirectory } from '../slack/directory';
import { actWithSecrets, type SecretToStore } from '../temporal/client/secret-actions';
import { setupIdOf, type ActOptions, type SetupClient } from '../temporal/client/setups';
import type { Vault } from '../vault/vault';
import { availableActions } from '../domain/checklist';
import { parseSlashCommand } from './commands';
import { BUTTON_ACTIONS, BUTTONS, buttonAction, HISTORY_EXPORTS, SLASH_COMMAND, VIEWS, parseButtonValue, type ButtonId, type ViewMetadata } from '../slack/ids';
import {
  checklistMessage,
  credentialsModal,
  headline,
  helpText,
  historyMessage,
  homeView,
  parseCredentials,
  parseProductionSecret,
  parseReject,
  parseRotate,
  parseSettings,
  parseViewMetadata,
  productionSecretModal,
  rejectModal,
  rotateModal,
  settingsModal,
} from '../slack/views';
import { escapeMrkdwn } from '../slack/views/text';

export interface BotDeps {
  setups: SetupClient;
  audit: AuditSource;
  vault: Vault;
  directory: RoleDirectory;
  security: SecurityLog;
  logger: Logger;
}

/** Buttons that open a modal instead of acting at once. Maps: keys come from Slack payloads, and a Map has no prototype keys. */
const MODAL_BUTTONS = new Map<ButtonId, (meta: ViewMetadata, view: SetupView) => object>([
  [BUTTONS.openCredentials, credentialsModal],
  [BUTTONS.openSettings, settingsModal],
  [BUTTONS.openProductionSecret, productionSecretModal],
  [BUTTONS.openReject, rejectModal],
  [BUTTONS.openRotate, rotateModal],
]);

/** The same modals, reached from a slash subcommand. */
const MODAL_ACTIONS = new Map<ActionName, ButtonId>([
  ['submitCredentials', BUTTONS.openCredentials],
  ['updateSettings', BUTTONS.openSettings],
  ['submitProductionSecret', BUTTONS.openProductionSecret],
  ['rejectProduction', BUTTONS.openReject],
  ['rotateSecret', BUTTONS.openRotate],
]);

/**
 * Who clicked: the actor sent to the workflow, and for the bot's own early answers their
 * roles now. The worker decides again from the groups the bot asserts.
 */
interface Person {
  actor: Actor;
  roles: Role[];
  groups: string[];
}

/** Registers every listener on `app`. */
export function registerBot(app: App, deps: BotDeps): void {
  const { setups, audit, vault, directory, security, logger } = deps;

  async function personOf(user: { id: string; name?: string; username?: string }): Promise<Person> {
    const displayName = await directory.displayNameOf(user.id, user.name ?? user.username ?? user.id);
    const groups = await directory.groupsOf(user.id);
    return { actor: { id: user.id, displayName, source: 'slack' }, roles: await directory.rolesOf(user.id), groups };
  }

  /** The role check at the moment of the click; a denial is a security event. */
  async function allowed(person: Person, action: ActionName, setupId: string | undefined, tell: (text: string) => Promise<void>): Promise<boolean> {
    const { actor } = person;
    const role = ACTION_ROLES[action];
    if (person.roles.includes(role)) return true;
    await security.record({ kind: 'denied', actor: actor.id, action, ...(setupId ? { setupId } : {}), detail: `needs the ${role} role` });
    await tell(`You can't do that: ${action} needs the ${role} role, and you are not listed in ${ROLE_VARIABLES[role]}. Ask an admin of plaid-setup.`);
    return false;
  }

  /** Any role at all, for reading setups (status, list); a refusal is a security event. */
  async function hasAnyRole(person: Person, what: string, tell: (text: string) => Promise<void>): Promise<boolean> {
    if (person.roles.length > 0) return true;
    await security.record({ kind: 'denied', actor: person.actor.id, action: what, detail: 'needs a plaid-setup role' });
    await tell(
      `You can't see setups: that needs a plaid-setup role, and you are not listed in ${ROLES.map((r) => ROLE_VARIABLES[r]).join(', ')}. Ask an admin of plaid-setup.`,
    );
    return false;
  }

  /**
   * A setup's audit record for `person`, or undefined once they were told why not: they lack
   * the role (refused and recorded), there is no such setup, or the record cannot be read.
   */
  async function recordFor(person: Person, setupId: string, tell: (text: string) => Promise<void>): Promise<AuditRow[] | undefined> {
    if (!HISTORY_READERS.some((role) => person.roles.includes(role))) {
      await security.record({ kind: 'denied', actor: person.actor.id, action: 'history', setupId, detail: 'needs the auditor or operator role' });
      await tell(
        `You can't read audit records: that needs the auditor or operator role, and you are not listed in ${ROLE_VARIABLES.auditor} or ${ROLE_VARIABLES.operator}. Ask an admin of plaid-setup.`,
      );
      return undefined;
    }
    try {
      const rows = await audit.record(setupId);
      if (!rows) await tell(setups.notFound(setupId).message);
      return rows;
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
      return undefined;
    }
  }

  /** Sends the action; a refusal (recorded by the setups client) is told to the person. */
  async function perform<N extends ActionName>(
    setupId: string,
    action: N,
    args: ActionArgs<N>,
    options: ActOptions,
    tell: (text: string) => Promise<void>,
  ): Promise<SetupView | undefined> {
    try {
      return await setups.act(setupId, action, args, options);
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
      return undefined;
    }
  }

  async function openModal(client: WebClient, triggerId: string, button: ButtonId, meta: ViewMetadata, tell: (text: string) => Promise<void>): Promise<void> {
    const build = MODAL_BUTTONS.get(button);
    if (!build) return;
    try {
      const view = await setups.view(meta.setupId);
      // No form for what the checklist would refuse anyway: say why instead.
      if (!availableActions(view).includes(BUTTON_ACTIONS[button])) {
        await tell(notNow(view));
        return;
      }
      // A rejection typed without a request id is about the request the modal shows.
      const bound = button === BUTTONS.openReject && !meta.requestId && view.production ? { ...meta, requestId: view.production.id } : meta;
      await client.views.open({ trigger_id: triggerId, view: build(bound, view) as never });
    } catch (err) {
      if (isPlaidSetupError(err)) await tell(err.message);
      else throw err;
    }
  }

  // `/plaid-setup ...`
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const tell = (text: string) => respond({ response_type: 'ephemeral', text }).then(() => undefined);
    const person = await personOf({ id: command.user_id, name: command.user_name });
    const { actor } = person;
    const parsed = parseSlashCommand(command.text);
    try {
      if (parsed.kind === 'help') {
        await tell(`${parsed.problem ? `${parsed.problem}\n\n` : ''}${helpText()}`);
        return;
      }
      // Reading setups needs a role too: names, client_ids and who acted are not for everyone.
      if ((parsed.kind === 'list' || parsed.kind === 'status') && !(await hasAnyRole(person, parsed.kind, tell))) return;
      switch (parsed.kind) {
        case 'list': {
          const views = await setups.list();
          await tell(views.length === 0 ? 'No setups yet. Start one with `/plaid-setup start &lt;name&gt;`.' : views.map((v) => `• *${escapeMrkdwn(v.name)}*: ${headline(v)} (${v.data.environment})`).join('\n'));
          return;
        }
        case 'history': {
          const setupId = setupIdOf(parsed.name);
          const rows = await recordFor(person, setupId, tell);
          if (!rows) return;
          const message = historyMessage(setupId, rows);
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
          return;
        }
        case 'status': {
          if (!parsed.name) {
            await tell('Say which setup: `/plaid-setup status &lt;name&gt;` (or `/plaid-setup list`).');
            return;
          }
          const view = await setups.view(setupIdOf(parsed.name));
          const message = checklistMessage(view);
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
          return;
        }
        case 'start': {
          if (!(await allowed(person, 'confirmRedirect', undefined, tell))) return;
          const setupId = setupIdOf(parsed.name);
          await setups.start(setupId, parsed.name, actor, { channel: command.channel_id }, person.groups);
          await tell(`Started setup *${setupId}*. Its checklist is in this channel; I keep it current.`);
          return;
        }
        case 'action': {
          const setupId = setupIdOf(parsed.name);
          if (!(await allowed(person, parsed.action, setupId, tell))) return;
          const { requestId, text } = splitRequestId(parsed.rest);
          const button = MODAL_ACTIONS.get(parsed.action);
          if (button) {
            await openModal(client, command.trigger_id, button, { setupId, channel: command.channel_id, ...(requestId ? { requestId } : {}) }, tell);
            return;
          }
          const args = commandArgs(parsed.action, actor, parsed.action === 'approveProduction' ? text : parsed.rest, requestId);
          await perform(setupId, parsed.action, args as never, { updateId: `slack-command-${command.trigger_id}`, groups: person.groups }, tell);
          return;
        }
      }
    } catch (err) {
      if (isPlaidSetupError(err)) await tell(err.message);
      else throw err;
    }
  });

  // Checklist and approval buttons.
  app.action<BlockAction<ButtonAction>>(/^plaid_setup\./, async ({ body, action, ack, client, respond }) => {
    await ack();
    const button = action.action_id as ButtonId;
    const name = buttonAction(button);
    const target = parseButtonValue(action.value);
    const channel = body.channel?.id ?? body.container?.channel_id;
    const tell = tellerFor(client, body.user.id, channel, respond);
    if (!name || !target) {
      await tell('That button is not one of mine any more; run `/plaid-setup status &lt;name&gt;` for a fresh checklist.');
      return;
    }
    const { setupId, requestId } = target;
    const person = await personOf(body.user);
    if (!(await allowed(person, name, setupId, tell))) return;
    if (MODAL_BUTTONS.has(button)) {
      await openModal(client, body.trigger_id, button, { setupId, ...(channel ? { channel } : {}), ...(requestId ? { requestId } : {}) }, tell);
      return;
    }
    // A double click or a repeated delivery of a click on the same checklist version is one action.
    const updateId = `slack-click-${setupId}-${action.block_id}-${button}${requestId ? `-${requestId}` : ''}`;
    const args = { actor: person.actor, ...(requestId ? { requestId } : {}) };
    await perform(setupId, name, args as ActionArgs<typeof name>, { updateId, groups: person.groups }, tell);
  });

  // The history summary's export buttons: the full record as a file, in a direct message.
  app.action<BlockAction<ButtonAction>>(/^plaid_setup_history\./, async ({ body, action, ack, client, respond }) => {
    await ack();
    const format = (Object.keys(HISTORY_EXPORTS) as AuditFormat[]).find((f) => HISTORY_EXPORTS[f] === action.action_id);
    const setupId = parseButtonValue(action.value)?.setupId;
    const tell = tellerFor(client, body.user.id, body.channel?.id ?? body.container?.channel_id, respond);
    if (!format || !setupId) {
      await tell('That button is not one of mine any more; run `/plaid-setup history &lt;name&gt;` again.');
      return;
    }
    const rows = await recordFor(await personOf(body.user), setupId, tell);
    if (!rows) return;
    try {
      const dm = await client.conversations.open({ users: body.user.id });
      await client.filesUploadV2({
        channel_id: dm.channel?.id as string,
        filename: `plaid-setup-audit-${setupId}.${format}`,
        title: `Audit record: ${setupId}`,
        content: formatRecord(format, setupId, rows),
        initial_comment: `The audit record of *${setupId}*: ${rows.length} events, oldest first.`,
      });
    } catch (err) {
      const error = slackErrorName(err);
      if (!error) throw err;
      logger.warn('History export not sent', { setupId, error });
      await tell(
        error === 'missing_scope'
          ? "I couldn't send the file: this Slack app lacks the files:write scope. An admin should add it (slack/manifest.yml has it) and reinstall the app."
          : `I couldn't send the file: Slack answered ${error}. Try again in a moment, or run \`plaid-setup audit ${setupId}\` for the same record.`,
      );
      return;
    }
    await tell(`Sent the audit record of *${setupId}* (${format.toUpperCase()}, ${rows.length} events) to you in a direct message.`);
  });

  // Modal submissions. Field errors go back in the ack; secrets go to the vault.
  app.view<ViewSubmitAction>(new RegExp(`^(${Object.values(VIEWS).map((v) => v.replace('.', '\\.')).join('|')})$`), async ({ body, view, ack, client }) => {
    const meta = parseViewMetadata(view.private_metadata);
    const values = view.state.values as never;
    if (!meta) {
      await ack({ response_action: 'errors', errors: {} });
      return;
    }
    const submission = parseSubmission(view.callback_id, values);
    if (!submission.ok) {
      await ack({ response_action: 'errors', errors: submission.errors });
      return;
    }
    await ack();
    const tell = tellerFor(client, body.user.id, meta.channel);
    const person = await personOf(body.user);
    if (!(await allowed(person, submission.action, meta.setupId, tell))) return;
    const build = (refs: SecretRef[]) => submission.args(person.actor, refs, meta) as never;
    try {
      await actWithSecrets({ setups, vault }, meta.setupId, submission.action, submission.secrets, build, { updateId: `slack-view-${view.id}`, groups: person.groups });
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
    }
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const roles = await directory.rolesOf(event.user);
    const views = roles.length > 0 ? await setups.list() : [];
    await client.views.publish({ user_id: event.user, view: homeView(views.map((view) => ({ view })), { id: event.user, roles }) as never });
  });

  app.error(async (error) => {
    // Never the payload: a modal's state holds what the user typed.
    logger.error('Slack handler failed', { error: error.message });
  });
}

function notNow(view: SetupView): string {
  if (view.status === 'cancelled') return `Setup *${escapeMrkdwn(view.name)}* was cancelled; start a new one instead.`;
  if (view.job) return `A check is running on *${escapeMrkdwn(view.name)}*; wait for it to finish.`;
  return `That can't be done on *${escapeMrkdwn(view.name)}* now (${headline(view)}). Run \`/plaid-setup status ${view.setupId}\` to see what is next.`;
}

/** `pr-2 looks good` → the request id and the rest; a decision names its request first. */
function splitRequestId(rest: string): { requestId?: string; text: string } {
  const match = /^(pr-[0-9]{1,6})(?:\s+|$)(.*)$/s.exec(rest.trim());
  return match ? { requestId: match[1] as string, text: match[2] as string } : { text: rest };
}

/** Arguments for an action typed as a slash subcommand; free text after the name is the note or reason. */
function commandArgs(action: ActionName, actor: Actor, rest: string, requestId?: string): Record<string, unknown> {
  const text = rest.trim();
  switch (action) {
    case 'requestProduction':
      return { actor, ...(text ? { note: text } : {}) };
    case 'approveProduction':
      return { actor, ...(requestId ? { requestId } : {}), ...(text ? { comment: text } : {}) };
    case 'disable':
    case 'cancel':
      return { actor, ...(text ? { reason: text } : {}) };
    default:
      return { actor };
  }
}

/** A valid submission: its action, the secrets it carries (stored first), and its arguments given their references. */
type Parsed =
  | { ok: false; errors: Record<string, string> }
  | { ok: true; action: ActionName; secrets: SecretToStore[]; args: (actor: Actor, refs: SecretRef[], meta: ViewMetadata) => Record<string, unknown> };

function parseSubmission(callbackId: string, values: never): Parsed {
  switch (callbackId) {
    case VIEWS.credentials: {
      const s = parseCredentials(values);
      if (!s.ok) return s;
      return {
        ok: true,
        action: 'submitCredentials',
        secrets: [{ kind: 'sandbox', value: s.sandboxSecret }, ...(s.developmentSecret ? [{ kind: 'development' as const, value: s.developmentSecret }] : [])],
        args: (actor, [sandboxSecret, developmentSecret]) => ({ actor, clientId: s.clientId, sandboxSecret, ...(developmentSecret ? { developmentSecret } : {}) }),
      };
    }
    case VIEWS.settings: {
      const s = parseSettings(values);
      if (!s.ok) return s;
      return {
        ok: true,
        action: 'updateSettings',
        secrets: [],
        args: (actor) => ({
          actor,
          syncMode: s.syncMode,
          countryCodes: s.countryCodes,
          ...(s.environment ? { environment: s.environment } : {}),
          ...(s.linkCustomizationName ? { linkCustomizationName: s.linkCustomizationName } : {}),
        }),
      };
    }
    case VIEWS.productionSecret: {
      const s = parseProductionSecret(values);
      if (!s.ok) return s;
      return { ok: true, action: 'submitProductionSecret', secrets: [{ kind: 'production', value: s.secret }], args: (actor, [secret]) => ({ actor, secret }) };
    }
    case VIEWS.reject: {
      const s = parseReject(values);
      if (!s.ok) return s;
      return { ok: true, action: 'rejectProduction', secrets: [], args: (actor, _refs, meta) => ({ actor, ...(meta.requestId ? { requestId: meta.requestId } : {}), reason: s.reason }) };
    }
    case VIEWS.rotate: {
      const s = parseRotate(values);
      if (!s.ok) return s;
      return { ok: true, action: 'rotateSecret', secrets: [{ kind: s.kind, value: s.secret }], args: (actor, [secret]) => ({ actor, kind: s.kind, secret }) };
    }
    default:
      return { ok: false, errors: {} };
  }
}

/** Where to tell a person something only they should see. */
function tellerFor(client: WebClient, user: string, channel: string | undefined, respond?: RespondFn): (text: string) => Promise<void> {
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
