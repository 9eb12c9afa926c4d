/**
 * The workspace: its team, the bot, users, user groups, channels and the DMs
 * conversations.open creates. A DM id is stable per set of users
 * (docs.slack.dev/reference/methods/conversations.open: "Opens or resumes a direct message");
 * chat.postMessage accepts a user id for the app's DM with that user
 * (docs.slack.dev/reference/methods/chat.postMessage#channels).
 * Guessed: the name of a channel configured by bare id, and that a multi-person DM gets a G… id.
 */
import { newId } from './ids';
import type { EmulatedChannel, EmulatedTeam, EmulatedUser, SlackEmulatorOptions } from './types';

export interface BotIdentity {
  userId: string;
  botId: string;
  appId: string;
  name: string;
}

interface Conversation extends EmulatedChannel {
  kind: 'channel' | 'im' | 'mpim';
  /** For DMs: the people in it besides the bot. */
  members: string[];
}

export class Workspace {
  readonly team: EmulatedTeam;
  readonly bot: BotIdentity;
  private readonly users = new Map<string, EmulatedUser>();
  private readonly usergroups = new Map<string, string[]>();
  private readonly conversations = new Map<string, Conversation>();
  /** Sorted member ids → DM channel id. */
  private readonly dms = new Map<string, string>();

  constructor(options: SlackEmulatorOptions) {
    const teamId = options.team?.id ?? newId('T');
    this.team = { id: teamId, name: options.team?.name ?? 'Emulated Workspace', domain: options.team?.domain ?? 'emulated' };
    this.bot = {
      userId: options.bot?.userId ?? newId('U'),
      botId: options.bot?.botId ?? newId('B'),
      appId: newId('A'),
      name: options.bot?.name ?? 'bot',
    };
    this.addUser({ id: this.bot.userId, name: this.bot.name, realName: this.bot.name, isBot: true });
    for (const user of options.users ?? []) this.addUser(user);
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.setUsergroup(id, members);
    for (const channel of options.channels ?? []) {
      const { id, name } = typeof channel === 'string' ? { id: channel, name: channel.toLowerCase() } : channel;
      this.conversations.set(id, { id, name, kind: 'channel', members: [] });
    }
  }

  private addUser(user: EmulatedUser): void {
    this.users.set(user.id, { ...user });
  }

  user(id: string): EmulatedUser | undefined {
    const user = this.users.get(id);
    return user && { ...user };
  }

  private setUsergroup(id: string, userIds: readonly string[]): void {
    this.usergroups.set(id, [...userIds]);
  }

  usergroup(id: string): string[] | undefined {
    const members = this.usergroups.get(id);
    return members && [...members];
  }

  conversation(id: string): Readonly<Conversation> | undefined {
    return this.conversations.get(id);
  }

  /** The DM with these users, created on first use; `created` is false when it already existed. */
  openDm(userIds: readonly string[]): { id: string; created: boolean } {
    const members = [...new Set(userIds)].sort();
    const key = members.join(',');
    const existing = this.dms.get(key);
    if (existing) return { id: existing, created: false };
    const kind = members.length === 1 ? 'im' : 'mpim';
    const id = newId(kind === 'im' ? 'D' : 'G');
    this.dms.set(key, id);
    this.conversations.set(id, { id, name: kind === 'im' ? 'directmessage' : `mpdm-${key}`, kind, members });
    return { id, created: true };
  }

  /** Where chat.* may post for a `channel` argument: a known conversation, or a user id (their DM with the app). */
  resolveChannel(channel: string): string | undefined {
    if (this.conversations.has(channel)) return channel;
    if (this.users.has(channel) && channel !== this.bot.userId) return this.openDm([channel]).id;
    return undefined;
  }
}
