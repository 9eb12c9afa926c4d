/**
 * Every checklist action, declared once: the rule that decides whether the state allows it
 * now, and the change it makes, each typed by the action's own parsed arguments (their
 * schema, role and how people reach it live in shared/actions.ts). validateAction and
 * applyAction look actions up here; adding an action means its declaration, an entry here
 * and its test.
 */
import { REDIRECT_URI, type StepId } from '../shared/schemas';
import { describeSubject, failApproval, refuseUnlessApproved, subjectOf, supersedeIfChanged } from './production';
import { ActionRejected, REJECTION_CODES } from './rejections';
import type { SecretRef } from '../shared/schemas';
import type { ActorRef, SetupState } from './state';
import {
  confirmTarget,
  describeSettings,
  effectiveCountries,
  isDone,
  mark,
  newJob,
  refuseWhileEnabled,
  refuseWhileJob,
  reopen,
  requireBefore,
  requireInputStep,
  step,
} from './steps';
import { type ActionName, type ParsedActionArgs } from '../shared/actions';

export interface ActionRule<N extends ActionName> {
  /** Throws ActionRejected when the state does not allow the action now; who may act is checked before. */
  check(state: SetupState, args: ParsedActionArgs<N>): void;
  /** The change an accepted action makes (validateAction's checks have passed). */
  apply(state: SetupState, args: ParsedActionArgs<N>, now: string, by: ActorRef): void;
  /** The step whose last error a new attempt clears. */
  retries?: StepId | 'rotation';
}

type ActionTable = { [N in ActionName]: ActionRule<N> };

/** approve and reject: a request waits, the decision names it, and its requester is not the decider. */
function checkDecision(state: SetupState, args: ParsedActionArgs<'approveProduction' | 'rejectProduction'>): void {
  const request = state.production;
  if (!request || request.decision || step(state, 'production_approval').status !== 'in_progress') {
    throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, 'There is no production request waiting for a decision.');
  }
  if (args.requestId !== request.id) {
    const current = `The request waiting now is ${request.id} (${describeSubject(request.subject)}); decide on it from its own message, or name it: --request ${request.id}.`;
    throw new ActionRejected(
      args.requestId === undefined ? REJECTION_CODES.INVALID_INPUT : REJECTION_CODES.STALE_REQUEST,
      args.requestId === undefined
        ? `Say which production request you decide on. ${current}`
        : `That decision is for production request ${args.requestId}, which is no longer waiting. ${current}`,
    );
  }
  if (request.requestedBy.id === args.actor.id) {
    throw new ActionRejected(
      REJECTION_CODES.SELF_APPROVAL,
      `${args.actor.displayName} requested production and cannot also decide on it; ask another approver.`,
    );
  }
}

/** The production request being decided; checkDecision has made sure there is one. */
function decided(state: SetupState) {
  const request = state.production;
  if (!request) throw new Error('a decision without a production request passed its check');
  return request;
}

/**
 * The Codat Portal holds the values now (typed in by the operator, or written by
 * writeToCodat): the first entries, or the Production secret, which switches the environment.
 */
export function confirmInCodat(state: SetupState, target: 'codat_portal' | 'production_secret', now: string, by: ActorRef, how = 'entered in the Codat Portal'): void {
  if (target === 'codat_portal') {
    mark(state, 'codat_portal', 'done', now, by, `Confirmed: the values are ${how}.`);
    return;
  }
  const migrating = state.enabled && state.data.environment === 'sandbox';
  state.data.productionSecretConfirmed = true;
  state.data.environment = 'production';
  effectiveCountries(state);
  if (migrating) {
    // The environment changed under an enabled integration: Plaid checks the Production keys again, Codat is read back.
    newJob(state, { kind: 'migration', secret: state.data.productionSecret as SecretRef, by });
    state.migration = { status: 'in_progress', actor: by, at: now };
    const enablement = step(state, 'enablement');
    enablement.detail = `Migrated to Production by ${by.displayName}; Plaid Production is checking the keys.`;
    state.codatCheck = { expected: true, asked: false };
  }
  mark(
    state,
    'production_secret',
    'done',
    now,
    by,
    `Production secret ${state.data.productionSecret?.fingerprint ?? ''} verified and ${how}; environment is now production.`,
    // What Plaid Production confirmed stays on the step.
    { evidence: step(state, 'production_secret').evidence },
  );
}

export const ACTION_RULES: ActionTable = {
  confirmRedirect: {
    check(state) {
      if (isDone(state, 'application')) throw new ActionRejected(REJECTION_CODES.ALREADY_DONE, 'The redirect URI is already confirmed.');
    },
    apply(state, _args, now, by) {
      mark(state, 'application', 'done', now, by, `Redirect URI ${REDIRECT_URI} confirmed as allowed in Plaid.`);
    },
  },

  submitCredentials: {
    check(state) {
      requireInputStep(state, 'sandbox_credentials', 'enter credentials', 'change credentials');
    },
    apply(state, args, now, by) {
      const clientChanged = state.data.clientId !== undefined && state.data.clientId !== args.clientId;
      state.data.clientId = args.clientId;
      state.data.sandboxSecret = args.sandboxSecret;
      state.data.developmentSecret = args.developmentSecret;
      const dev = args.developmentSecret ? `, legacy Development secret ${args.developmentSecret.fingerprint}` : '';
      mark(state, 'sandbox_credentials', 'done', now, by, `client_id ${args.clientId}, Sandbox secret ${args.sandboxSecret.fingerprint}${dev}.`);
      const dependants: StepId[] = ['sandbox_test', 'codat_portal', 'enablement'];
      if (clientChanged) {
        // A Production secret belongs to one client_id: a new client_id needs a new one.
        dependants.push('production_secret');
        state.data.productionSecret = undefined;
        state.data.productionSecretConfirmed = false;
      }
      reopen(state, dependants, now, by, `credentials changed by ${by.displayName}`);
      supersedeIfChanged(state, now, by);
    },
  },

  updateSettings: {
    check(state, args) {
      requireInputStep(state, 'settings', 'change settings');
      if (args.environment === 'production' && !isDone(state, 'production_secret')) {
        throw new ActionRejected(
          REJECTION_CODES.OUT_OF_ORDER,
          "Can't choose the production environment yet: production needs an approved request and a verified Production secret first.",
        );
      }
    },
    apply(state, args, now, by) {
      const d = state.data;
      d.environment = args.environment;
      d.requestedCountryCodes = args.countryCodes;
      d.syncMode = args.syncMode;
      d.linkCustomizationName = args.linkCustomizationName;
      effectiveCountries(state);
      mark(state, 'settings', 'done', now, by, describeSettings(state));
      reopen(state, ['sandbox_test', 'codat_portal', 'enablement'], now, by, `settings changed by ${by.displayName}`);
      supersedeIfChanged(state, now, by);
    },
  },

  runSandboxTest: {
    check(state) {
      requireBefore(state, 'sandbox_test', 'run the Sandbox test');
      refuseWhileJob(state, 'start another check');
    },
    apply(state, _args, now, by) {
      newJob(state, { kind: 'sandbox_test' });
      mark(state, 'sandbox_test', 'in_progress', now, by, 'Running the Sandbox test against Plaid.');
    },
    retries: 'sandbox_test',
  },

  confirmCodat: {
    check(state, args) {
      if (confirmTarget(state, args.step) === 'codat_portal') {
        requireBefore(state, 'codat_portal', 'confirm the Codat Portal entries');
        return;
      }
      // Enabled in Sandbox: confirming the Production secret in Codat is the switch to Production.
      if (state.enabled) {
        refuseUnlessApproved(state, 'migrate');
        refuseWhileJob(state, 'migrate to Production');
      }
    },
    apply(state, args, now, by) {
      confirmInCodat(state, confirmTarget(state, args.step), now, by);
    },
  },

  requestProduction: {
    check(state) {
      requireBefore(state, 'production_request', 'request production');
      if (isDone(state, 'production_request')) {
        throw new ActionRejected(
          REJECTION_CODES.ALREADY_DONE,
          state.production?.decision === 'approved' ? 'Production is already approved.' : 'Production is already requested; wait for an approver.',
        );
      }
    },
    apply(state, args, now, by) {
      const expiresAt = new Date(Date.parse(now) + state.options.approvalTimeoutMs).toISOString();
      const earlier = state.production;
      // A replaced request whose messages still show buttons is kept until they are closed.
      if (earlier?.messages?.length && !earlier.messagesClosed) state.earlierRequests = [...(state.earlierRequests ?? []), earlier];
      const number = state.nextRequestNumber ?? 1;
      state.nextRequestNumber = number + 1;
      const required = state.options.approvalsRequired ?? 1;
      const request = {
        id: `pr-${number}`,
        subject: subjectOf(state),
        requestedBy: by,
        requestedAt: now,
        expiresAt,
        ...(required > 1 ? { required } : {}),
        ...(args.note ? { note: args.note } : {}),
      };
      state.production = request;
      mark(state, 'production_request', 'done', now, by, `Production request ${request.id} by ${by.displayName}: ${describeSubject(request.subject)}.`);
      const who = required > 1 ? `${required} approvers other than ${by.displayName}` : `an approver other than ${by.displayName}`;
      mark(state, 'production_approval', 'in_progress', now, undefined, `Request ${request.id} waits for ${who}; it expires at ${expiresAt}.`);
    },
    retries: 'production_approval',
  },

  approveProduction: {
    check(state, args) {
      checkDecision(state, args);
      const request = decided(state);
      if (request.approvals?.some((a) => a.by.id === args.actor.id)) {
        const missing = (request.required ?? 1) - request.approvals.length;
        throw new ActionRejected(
          REJECTION_CODES.ALREADY_DONE,
          `${args.actor.displayName} already approved ${request.id}; it needs ${missing} more approval${missing === 1 ? '' : 's'} from other approvers.`,
        );
      }
    },
    apply(state, args, now, by) {
      const request = decided(state);
      const approvals = [...(request.approvals ?? []), { by, at: now, ...(args.comment ? { comment: args.comment } : {}) }];
      const required = request.required ?? 1;
      if (required > 1) request.approvals = approvals;
      const names = approvals.map((a) => a.by.displayName).join(' and ');
      if (approvals.length < required) {
        const missing = required - approvals.length;
        mark(
          state,
          'production_approval',
          'in_progress',
          now,
          by,
          `${request.id} approved by ${names} (${approvals.length} of ${required}); waits for ${missing} more approver${missing === 1 ? '' : 's'} other than ${request.requestedBy.displayName} and ${names}.`,
        );
        return;
      }
      Object.assign(request, { decision: 'approved', decidedBy: by, decidedAt: now, reason: args.comment });
      mark(state, 'production_approval', 'done', now, by, `${request.id} approved by ${names}: ${describeSubject(request.subject)}.`);
    },
  },

  rejectProduction: {
    check: checkDecision,
    apply(state, args, now, by) {
      Object.assign(decided(state), { decision: 'rejected', decidedBy: by, decidedAt: now, reason: args.reason });
      failApproval(
        state,
        {
          code: 'PRODUCTION_REJECTED',
          message: `${by.displayName} rejected the production request: ${args.reason}`,
          action: 'Address the reason, then request production again.',
          at: now,
        },
        by,
      );
    },
  },

  submitProductionSecret: {
    check(state) {
      requireBefore(state, 'production_secret', 'enter the Production secret');
      // Enabled in Sandbox is the phase this step belongs to; once in Production, a new secret is a rotation.
      if (state.data.environment === 'production') refuseWhileEnabled(state, 'replace the Production secret (use rotate-secret)');
      refuseWhileJob(state, 'submit another secret');
    },
    apply(state, args, now, by) {
      state.data.pendingProductionSecret = args.secret;
      newJob(state, { kind: 'production_secret', secret: args.secret });
      mark(state, 'production_secret', 'in_progress', now, by, `Verifying Production secret ${args.secret.fingerprint} against Plaid Production.`);
    },
    retries: 'production_secret',
  },

  enable: {
    check(state) {
      if (state.enabled) throw new ActionRejected(REJECTION_CODES.ALREADY_DONE, 'The integration is already enabled.');
      // Codat's own order: enabled in Sandbox once tested and in the Codat Portal; Production is a later phase.
      if (state.data.environment === 'sandbox') {
        requireBefore(state, 'production_request', 'enable the integration in Sandbox');
        refuseWhileJob(state, 'enable the integration');
        return;
      }
      requireBefore(state, 'enablement', 'enable the integration');
      refuseUnlessApproved(state);
    },
    apply(state, _args, now, by) {
      state.enabled = true;
      const where = state.data.environment === 'sandbox' ? ' in Sandbox' : '';
      mark(state, 'enablement', 'done', now, by, `Enabled${where} by ${by.displayName}.`);
      state.codatCheck = { expected: true, asked: false };
    },
  },


  disable: {
    check(state) {
      if (!state.enabled) throw new ActionRejected(REJECTION_CODES.NOT_ALLOWED_NOW, 'The integration is not enabled.');
    },
    apply(state, args, now, by) {
      state.enabled = false;
      const enablement = step(state, 'enablement');
      enablement.detail = `Disabled by ${by.displayName}${args.reason ? `: ${args.reason}` : ''}.`;
      enablement.actor = by;
      enablement.at = now;
      state.codatCheck = { expected: false, asked: false };
    },
  },

  checkCodat: {
    check(state) {
      if (!isDone(state, 'enablement')) {
        throw new ActionRejected(REJECTION_CODES.OUT_OF_ORDER, 'Codat is checked once the integration has been enabled; enable it first.');
      }
      if (state.codatCheck) throw new ActionRejected(REJECTION_CODES.BUSY, 'Codat is being checked already; wait for the answer on the Enablement step.');
    },
    apply(state) {
      state.codatCheck = { expected: state.enabled, asked: true };
    },
  },

  rotateSecret: {
    check(state) {
      if (!isDone(state, 'enablement')) {
        throw new ActionRejected(
          REJECTION_CODES.OUT_OF_ORDER,
          'Secrets are rotated once the integration has been enabled; until then, enter the new secret in its step.',
        );
      }
      refuseWhileJob(state, 'rotate a secret');
    },
    apply(state, args, now, by) {
      newJob(state, { kind: 'rotation', secretKind: args.kind, secret: args.secret });
      state.rotation = { kind: args.kind, status: 'in_progress', fingerprint: args.secret.fingerprint, actor: by, at: now };
    },
    retries: 'rotation',
  },

  writeToCodat: {
    check(state, args) {
      if (!state.options.codatWrite) {
        throw new ActionRejected(
          REJECTION_CODES.NOT_ALLOWED_NOW,
          'plaid-setup does not write to Codat here (CODAT_WRITE_CREDENTIALS is off): enter the values in the Codat Portal, then confirm.',
        );
      }
      refuseWhileJob(state, 'write to Codat');
      ACTION_RULES.confirmCodat.check(state, { actor: args.actor });
    },
    apply(state, _args, now, by) {
      const target = confirmTarget(state, undefined);
      const secretKind = target === 'codat_portal' ? 'sandbox' : 'production';
      const secret = (secretKind === 'sandbox' ? state.data.sandboxSecret : state.data.productionSecret) as SecretRef;
      newJob(state, { kind: 'codat_write', target, secretKind, secret, by });
      step(state, target).detail = `Writing client_id and the ${secretKind === 'sandbox' ? 'Sandbox' : 'Production'} secret ${secret.fingerprint} to Codat.`;
    },
  },

  confirmOldSecretDeleted: {
    check(state) {
      const retirement = state.rotation?.status === 'done' ? state.rotation.retirement : undefined;
      if (!retirement || retirement.status === 'confirmed') {
        throw new ActionRejected(REJECTION_CODES.NOT_ALLOWED_NOW, 'There is no replaced secret waiting to be deleted in Plaid; rotate a secret first.');
      }
      refuseWhileJob(state, 'check the old secret');
    },
    apply(state) {
      const rotation = state.rotation as NonNullable<SetupState['rotation']>;
      const retirement = rotation.retirement as NonNullable<NonNullable<SetupState['rotation']>['retirement']>;
      retirement.status = 'checking';
      newJob(state, { kind: 'retire', secretKind: rotation.kind, secret: retirement.secret });
    },
  },

  cancel: {
    check(state) {
      // plaid-setup cannot switch Codat off itself: a cancelled setup must not leave it on unrecorded.
      if (state.enabled) {
        throw new ActionRejected(
          REJECTION_CODES.NOT_ALLOWED_NOW,
          "Can't cancel while the integration is enabled: disable it in the Codat Portal and here (disable), then cancel.",
        );
      }
    },
    apply(state, args, now, by) {
      if (state.production && !state.production.decision) {
        Object.assign(state.production, { decision: 'superseded', decidedAt: now, reason: `setup cancelled by ${by.displayName}` });
      }
      state.status = 'cancelled';
      state.job = undefined;
      state.cancelled = { actor: by, at: now, ...(args.reason ? { reason: args.reason } : {}) };
    },
  },
};

/** The rule of one action, typed by its arguments. */
export function ruleOf<N extends ActionName>(name: N): ActionRule<N> {
  return ACTION_RULES[name];
}
