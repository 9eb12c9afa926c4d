/**
 * A history as its workflow saw it: every payload run back through the codecs that wrote
 * it (the AES-GCM payload codec when PLAID_SETUP_PAYLOAD_KEY is set), and failure messages
 * moved back out of their encoded attributes. Temporal returns history as stored, so the
 * audit export needs this before it can read a single argument.
 */
import { encodingTypes, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { ERROR_CODES, PlaidSetupError } from '../errors';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;

const READABLE_ENCODINGS: ReadonlySet<string> = new Set(Object.values(encodingTypes));

/** Still in a codec's encoding after decoding: no codec given here could open it. */
function undecoded(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return !!encoding && !READABLE_ENCODINGS.has(Buffer.from(encoding).toString('utf8'));
}

function isPayload(v: object): v is Payload {
  const metadata = (v as Payload).metadata;
  return !!metadata && typeof metadata === 'object' && metadata.encoding instanceof Uint8Array;
}

/** Every payload object inside `value`, and every failure with encoded attributes. */
function collect(value: unknown, payloads: Payload[], failures: Failure[]): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, payloads, failures);
    return;
  }
  if (isPayload(value)) {
    payloads.push(value);
    return;
  }
  const failure = value as Failure;
  if (failure.encodedAttributes && 'message' in failure) failures.push(failure);
  for (const v of Object.values(value)) collect(v, payloads, failures);
}

function restoreCommonAttributes(failure: Failure): void {
  const data = failure.encodedAttributes?.data;
  if (!data) return;
  try {
    const attrs = JSON.parse(Buffer.from(data).toString('utf8')) as { message?: unknown; stack_trace?: unknown };
    if (typeof attrs.message === 'string') failure.message = attrs.message;
    if (typeof attrs.stack_trace === 'string') failure.stackTrace = attrs.stack_trace;
  } catch {
    // Not JSON: the attributes stay encoded and the message stays as stored.
  }
}

/** Decodes `events` in place and returns them. */
export async function decodeHistory(events: HistoryEvent[], codecs: PayloadCodec[]): Promise<HistoryEvent[]> {
  const payloads: Payload[] = [];
  const failures: Failure[] = [];
  collect(events, payloads, failures);
  if (codecs.length > 0 && payloads.length > 0) {
    const decoded = await decode(codecs, payloads);
    decoded.forEach((plain, i) => {
      const target = payloads[i] as Payload;
      target.metadata = plain.metadata ?? {};
      target.data = plain.data ?? new Uint8Array();
    });
  }
  if (payloads.some(undecoded)) {
    throw new PlaidSetupError(
      ERROR_CODES.PAYLOAD_KEY_UNKNOWN,
      'This history is encrypted and no payload key is set here: set PLAID_SETUP_PAYLOAD_KEY (and PLAID_SETUP_PREVIOUS_PAYLOAD_KEY after a rotation) to the keys it was written with.',
    );
  }
  failures.forEach(restoreCommonAttributes);
  return events;
}
