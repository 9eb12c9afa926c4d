/**
 * An action that carries secrets, the same way from the bot and the CLI: the secrets go
 * to the vault first (the workflow only ever sees references), then the action is sent.
 * A definite refusal removes them again; any other outcome keeps them, because the setup
 * may already hold their references.
 */
import { isDefiniteRefusal } from '../../errors';
import type { SecretKind, SecretRef, SecretValue } from '../../shared/schemas';
import type { SetupView } from '../../domain/state';
import type { Vault } from '../../vault/vault';
import type { ActOptions, SetupClient } from './setups';
import { type ActionArgs, type ActionName } from '../../shared/actions';

export interface SecretToStore {
  kind: SecretKind;
  value: SecretValue;
}

export async function actWithSecrets<N extends ActionName>(
  deps: { setups: SetupClient; vault: Pick<Vault, 'put' | 'delete'> },
  setupId: string,
  action: N,
  secrets: readonly SecretToStore[],
  build: (refs: SecretRef[]) => ActionArgs<N>,
  options: Omit<ActOptions, 'ifUnknown'> = {},
): Promise<SetupView> {
  const refs: SecretRef[] = [];
  for (const s of secrets) refs.push(await deps.vault.put(setupId, s.kind, s.value));
  const kept = refs.length > 0 ? `The secret ${refs.map((r) => r.fingerprint).join(', ')} stays in the vault, as the setup may already use it.` : undefined;
  try {
    return await deps.setups.act(setupId, action, build(refs), { ...options, ...(kept ? { ifUnknown: kept } : {}) });
  } catch (err) {
    if (isDefiniteRefusal(err)) for (const r of refs) await deps.vault.delete(r.ref);
    throw err;
  }
}
