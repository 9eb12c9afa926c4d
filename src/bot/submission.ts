/**
 * A filled-in form, parsed: from a Slack modal (listeners/submissions.ts) or the one-time
 * secret form (secret-form/handler.ts), which use the same field ids. The result names the
 * action, the secrets it carries (stored in the vault first) and its arguments given their
 * references.
 */
import type { Actor, SecretRef } from '../shared/schemas';
import { VIEWS, type ViewMetadata } from '../slack/ids';
import { parseCredentials, parseProductionSecret, parseReject, parseRotate, parseSettings } from '../slack/views';
import type { SubmittedValues } from '../slack/views/submissions';
import type { SecretToStore } from '../temporal/client/secret-actions';
import type { ActionName } from '../shared/actions';

/** A valid submission: its action, the secrets it carries (stored first), and its arguments given their references. */
export type Parsed =
  | { ok: false; errors: Record<string, string> }
  | { ok: true; action: ActionName; secrets: SecretToStore[]; args: (actor: Actor, refs: SecretRef[], meta: ViewMetadata) => Record<string, unknown> };

export function parseSubmission(callbackId: string, values: SubmittedValues): Parsed {
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
