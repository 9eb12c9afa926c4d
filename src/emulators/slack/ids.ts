/**
 * Identifiers in Slack's formats, as its docs show them:
 * - object ids are a type letter and upper-case alphanumerics: T team, U user, B bot, A app,
 *   C channel, D direct message, G multi-person DM, V view, S user group, F file
 *   (docs.slack.dev/reference/objects; the exact length varies in Slack's examples: 10 is a guess);
 * - message timestamps "1503435956.000247": seconds and six digits, unique per channel
 *   (docs.slack.dev/messaging/retrieving-messages#individual_messages);
 * - trigger ids "12345.98765.abcd2358fdea" (views.open: invalid_trigger_id names this format);
 * - view hashes "156772938.1827394" / "1569262015.55b5e41b" (views.open and views.update examples);
 * - generated block ids like "XTkTR", which Slack adds to blocks sent without one
 *   (docs.slack.dev/reference/block-kit/blocks: "If not specified, a block_id will be generated");
 * - Socket Mode envelope ids, UUIDs in docs.slack.dev/apis/events-api/using-socket-mode.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const digits = (length: number): string => String(randomInt(1, 10)) + pick('0123456789', length - 1);
const hex = (length: number): string => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);

export type IdKind = 'T' | 'U' | 'B' | 'A' | 'C' | 'D' | 'G' | 'V' | 'F';
export const newId = (kind: IdKind): string => kind + pick(UPPER, 10);

export const newTriggerId = (): string => `${digits(13)}.${digits(13)}.${hex(32)}`;
export const TRIGGER_ID_FORMAT = /^\d+\.\d+\.[0-9a-f]+$/;

export const newViewHash = (now: number): string => `${Math.floor(now / 1000)}.${hex(8)}`;

/** A block_id or action_id Slack makes up for one sent without it. */
export const newGeneratedId = (): string => pick(MIXED, 5);

/** The deprecated verification token Slack still sends in every request body. */
export const newVerificationToken = (): string => pick(MIXED, 24);

/** The path part of a response_url: hooks.slack.com/commands/T…/1234567890123/secret. */
export const newResponsePath = (kind: 'commands' | 'actions', teamId: string): string => `/${kind}/${teamId}/${digits(13)}/${pick(MIXED, 24)}`;

/** Formats microseconds since the epoch as a Slack timestamp. */
const formatTs = (micros: number): string => `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;

/** Strictly increasing Slack timestamps per channel (a ts names a message within its channel). */
export class TsClock {
  private readonly last = new Map<string, number>();

  next(channel: string, nowMs = Date.now()): string {
    const micros = Math.max(nowMs * 1000, (this.last.get(channel) ?? 0) + 1);
    this.last.set(channel, micros);
    return formatTs(micros);
  }
}

/** An action_ts: when the user acted, in the same format. */
export const actionTs = (nowMs = Date.now()): string => formatTs(nowMs * 1000 + randomInt(1000));

/** A Socket Mode envelope_id, e.g. "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545". */
export const newEnvelopeId = (): string => randomUUID();

/** The ticket of a Socket Mode URL (wss://wss-primary.slack.com/link/?ticket=…): opaque; a UUID here. */
export const newSocketTicket = (): string => randomUUID();
