/**
 * Modal submissions. Field errors go back in the ack; secrets go to the vault before the
 * action that refers to them (temporal/client/secret-actions.ts). With one-time links
 * (PLAID_SETUP_SECRET_ENTRY=link) no modal carries a secret: the rotation's modal leads to
 * a link, and a secret field from a modal opened before the switch is refused unread.
 */
import type { App, ViewSubmitAction } from '@slack/bolt';
import { isPlaidSetupError } from '../../errors';
import type { SecretRef } from '../../shared/schemas';
import { FIELDS, VIEWS } from '../../slack/ids';
import { parseRotateKind, parseViewMetadata, type SubmittedValues } from '../../slack/views';
import { actWithSecrets } from '../../temporal/client/secret-actions';
import { parseSubmission } from '../submission';
import { tellerFor, type BotContext } from '../context';

const SECRET_FIELDS = [FIELDS.sandboxSecret, FIELDS.developmentSecret, FIELDS.productionSecret, FIELDS.rotateSecret];
const NO_SECRETS_IN_SLACK = 'Secrets are no longer typed into Slack here, and nothing was stored: close this and click the button again for a one-time link.';

export function registerSubmissions(app: App, ctx: BotContext): void {
  const { setups, vault } = ctx.deps;
  app.view<ViewSubmitAction>(new RegExp(`^(${Object.values(VIEWS).map((v) => v.replace('.', '\\.')).join('|')})$`), async ({ body, view, ack, client }) => {
    const meta = parseViewMetadata(view.private_metadata);
    const values = view.state.values as SubmittedValues;
    if (!meta) {
      await ack({ response_action: 'errors', errors: {} });
      return;
    }
    const { links } = ctx.deps;
    if (links) {
      const secretField = SECRET_FIELDS.find((f) => values[f] !== undefined);
      if (secretField) {
        await ack({ response_action: 'errors', errors: { [secretField]: NO_SECRETS_IN_SLACK } });
        return;
      }
      if (view.callback_id === VIEWS.rotate) {
        const chosen = parseRotateKind(values);
        if (!chosen.ok) {
          await ack({ response_action: 'errors', errors: chosen.errors });
          return;
        }
        await ack();
        const tell = tellerFor(client, body.user.id, meta.channel);
        const person = await ctx.personOf(body.user);
        if (!(await ctx.allowed(person, 'rotateSecret', meta.setupId, tell))) return;
        const purpose = chosen.kind === 'sandbox' ? 'rotate-sandbox' : 'rotate-production';
        try {
          const setup = await setups.view(meta.setupId);
          await tell(await links.offer({ userId: person.actor.id, setupId: setup.setupId, setupName: setup.name, purpose, ...(meta.channel ? { channel: meta.channel } : {}) }));
        } catch (err) {
          if (!isPlaidSetupError(err)) throw err;
          await tell(err.message);
        }
        return;
      }
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
