/**
 * Messages as Slack keeps them: per channel, each named by a ts unique in its channel, with
 * its current text and blocks. Ephemeral messages are kept apart per recipient: Slack stores
 * no history of them and chat.update cannot reach them (docs.slack.dev/messaging/modifying-messages:
 * "Ephemeral messages can't be updated in this way").
 * The message object follows chat.postMessage's documented response (docs.slack.dev/reference/methods/chat.postMessage)
 * and the "edited" marker of docs.slack.dev/reference/objects/message-object; a message sharing
 * files carries their file objects in `files` with `upload: true`, as file share messages do.
 */
import type { AnyBlock } from '@slack/types';
import type { JsonObject } from './json';
import { TsClock } from './ids';
import type { EmulatedEphemeral, EmulatedMessage, MessageOrigin } from './types';

export interface MessageContent {
  text: string;
  blocks: JsonObject[];
}

interface StoredMessage extends MessageContent {
  channel: string;
  ts: string;
  user: string;
  bot?: { botId: string; appId: string };
  threadTs?: string;
  /** The file objects a file share message shows, as they were when shared. */
  files?: JsonObject[];
  updateCount: number;
  editedTs?: string;
  origin: MessageOrigin;
}

interface StoredEphemeral extends MessageContent {
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  updateCount: number;
  origin: EmulatedEphemeral['origin'];
}

export type MessageRef = Readonly<StoredMessage>;
export type EphemeralRef = Readonly<StoredEphemeral>;

export class MessageStore {
  private readonly clock = new TsClock();
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly ephemeral: StoredEphemeral[] = [];

  post(input: Omit<StoredMessage, 'ts' | 'updateCount' | 'editedTs'>): MessageRef {
    const message: StoredMessage = { ...input, ts: this.clock.next(input.channel), updateCount: 0 };
    const list = this.channels.get(input.channel) ?? [];
    list.push(message);
    this.channels.set(input.channel, list);
    return message;
  }

  find(channel: string, ts: string): MessageRef | undefined {
    return this.channels.get(channel)?.find((m) => m.ts === ts);
  }

  replace(ref: MessageRef, content: MessageContent): MessageRef {
    const message = this.own(ref);
    Object.assign(message, content, { updateCount: message.updateCount + 1, editedTs: this.clock.next(message.channel) });
    return message;
  }

  remove(ref: MessageRef): void {
    const list = this.channels.get(ref.channel) ?? [];
    this.channels.set(ref.channel, list.filter((m) => m !== ref));
  }

  postEphemeral(input: Omit<StoredEphemeral, 'ts' | 'updateCount'>): EphemeralRef {
    const message: StoredEphemeral = { ...input, ts: this.clock.next(input.channel), updateCount: 0 };
    this.ephemeral.push(message);
    return message;
  }

  findEphemeral(channel: string, ts: string): EphemeralRef | undefined {
    return this.ephemeral.find((m) => m.channel === channel && m.ts === ts);
  }

  replaceEphemeral(ref: EphemeralRef, content: MessageContent): void {
    const message = this.ephemeral.find((m) => m === ref);
    if (message) Object.assign(message, content, { updateCount: message.updateCount + 1 });
  }

  removeEphemeral(ref: EphemeralRef): void {
    const index = this.ephemeral.indexOf(ref as StoredEphemeral);
    if (index >= 0) this.ephemeral.splice(index, 1);
  }

  /** Snapshots: what a test reads cannot change the store. */
  list(channel?: string): EmulatedMessage[] {
    const lists = channel === undefined ? [...this.channels.values()] : [this.channels.get(channel) ?? []];
    return lists.flat().map(snapshot);
  }

  ephemerals(userId?: string): EmulatedEphemeral[] {
    return this.ephemeral
      .filter((m) => userId === undefined || m.user === userId)
      .map((m) => ({
        channel: m.channel,
        user: m.user,
        ts: m.ts,
        text: m.text,
        blocks: structuredClone(m.blocks) as unknown as AnyBlock[],
        ...(m.threadTs ? { threadTs: m.threadTs } : {}),
        updateCount: m.updateCount,
        origin: m.origin,
      }));
  }

  private own(ref: MessageRef): StoredMessage {
    const message = this.channels.get(ref.channel)?.find((m) => m === ref);
    if (!message) throw new Error(`Slack emulator: message ${ref.channel}/${ref.ts} is no longer stored`);
    return message;
  }
}

export function snapshot(m: MessageRef): EmulatedMessage {
  return {
    channel: m.channel,
    ts: m.ts,
    text: m.text,
    blocks: structuredClone(m.blocks) as unknown as AnyBlock[],
    user: m.user,
    ...(m.bot ? { botId: m.bot.botId } : {}),
    ...(m.threadTs ? { threadTs: m.threadTs } : {}),
    ...(m.files ? { fileIds: m.files.map((file) => String(file.id)) } : {}),
    updateCount: m.updateCount,
    origin: m.origin,
  };
}

/** The message object as the Web API answers it and interaction payloads carry it. */
export function messageJson(m: MessageRef, teamId: string): JsonObject {
  return {
    user: m.user,
    type: 'message',
    ts: m.ts,
    ...(m.bot ? { bot_id: m.bot.botId, app_id: m.bot.appId } : {}),
    text: m.text,
    team: teamId,
    ...(m.blocks.length > 0 ? { blocks: structuredClone(m.blocks) } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.files ? { files: structuredClone(m.files), upload: true } : {}),
    ...(m.editedTs ? { edited: { user: m.user, ts: m.editedTs } } : {}),
  };
}
