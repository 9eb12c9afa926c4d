/**
 * Registers the custom search attributes `list` filters on, on clusters that were not
 * started by `plaid-setup dev` (which passes them on the dev server's command line).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../../logger';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../shared/messages';

const INDEXED = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

export async function ensureSearchAttributes(client: Client, namespace: string, logger: Logger): Promise<void> {
  try {
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).filter(([name]) => !(name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED[type]])),
    });
    logger.info('Registered search attributes', { names: missing.map(([name]) => name).join(',') });
  } catch (err) {
    logger.warn(
      `Could not register search attributes; ask your Temporal admin to add ${Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS)
        .map(([n, t]) => `${n} (${t})`)
        .join(', ')}`,
      { error: err instanceof Error ? err.message : String(err) },
    );
  }
}
