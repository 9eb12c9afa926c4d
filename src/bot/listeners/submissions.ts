/**
 * Modal submissions. Field errors go back in the ack; secrets go to the vault before the
 * action that refers to them (temporal/client/secret-actions.ts).
 */
import type { App, ViewSubmitAction } from '@slack/bolt';
import { isPlaidSetupError } from '../../errors';
import type { Actor, SecretRef } from '../../shared/schemas';
import { VIEWS, type ViewMetadata } from '../../slack/ids';
import { parseCredentials, parseProductionSecret, parseReject, parseRotate, parseSettings, parseViewMetadata } from '../../slack/views';
import { actWithSecrets, type SecretToStore } from '../../temporal/client/secret-actions';
import { tellerFor, type BotContext } from '../context';
import { type ActionName } from '../../shared/actions';

export function registerSubmissions(app: App, ctx: BotContext): void {
  const { setups, vault } = ctx.deps;
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
    const person = await ctx.personOf(body.user);
    if (!(await ctx.allowed(person, submission.action, meta.setupId, tell))) return;
    const build = (refs: SecretRef[]) => submission.args(person.actor, refs, meta) as never;
    try {
      await actWithSecrets({ setups, vault }, meta.setupId, submission.action, submission.secrets, build, { updateId: `slack-view-${view.id}`, groups: person.groups });
    } catch (err) {
      if (!isPlaidSetupError(err)) throw err;
      await tell(err.message);
    }
  });
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
