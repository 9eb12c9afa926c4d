/**
 * A loopback Slack Web API for tests and demos of the bot: a workspace (team, bot, users, user
 * groups, channels), the messages and views the bot creates through the API, the trigger_ids
 * the driver hands out, faults a test injects, and a log of every call. Pass `apiUrl` as
 * WebClient's `slackApiUrl` (WebClient posts to `${slackApiUrl}${method}`). With an app-level
 * token it serves Socket Mode too: apps.connections.open and the WebSocket it points to
 * (socket-mode.ts), on the same port. File uploads (files.getUploadURLExternal, the upload URL,
 * files.completeUploadExternal: what WebClient.filesUploadV2 does) are served on that port too.
 */
import type { Server } from 'node:http';
import { CallLog, createApiServer, API_PATH } from './api-server';
import { FaultPlan } from './faults';
import { FileStore } from './files';
import { listen, stop } from './http';
import { MessageStore, snapshot } from './messages';
import type { MethodContext } from './methods';
import { SocketModeHub, type DisconnectReason } from './socket-mode';
import { SLACK_TRIGGER_TTL_MS, TriggerRegistry } from './triggers';
import type { EmulatedChannel, EmulatedEphemeral, EmulatedFile, EmulatedMessage, EmulatedTeam, EmulatedView, RecordedCall, SlackEmulatorOptions } from './types';
import { ViewStore } from './views';
import { Workspace } from './workspace';

/** The emulator's state, for the driver: what Slack's clients see and change besides the Web API. */
const internals = new WeakMap<SlackEmulator, MethodContext>();

export function emulatorState(emulator: SlackEmulator): MethodContext {
  const state = internals.get(emulator);
  if (!state) throw new Error('Slack emulator: not started through SlackEmulator.start');
  return state;
}

export class SlackEmulator {
  readonly apiUrl: string;
  readonly team: Readonly<EmulatedTeam>;
  readonly appId: string;
  /** The bot's user id (auth.test user_id), the author of everything it posts. */
  readonly botUserId: string;
  readonly botId: string;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly state: MethodContext,
    private readonly faults: FaultPlan,
    private readonly log: CallLog,
    baseUrl: string,
  ) {
    this.apiUrl = `${baseUrl}${API_PATH}`;
    const { team, bot } = state.workspace;
    this.team = { ...team };
    this.appId = bot.appId;
    this.botUserId = bot.userId;
    this.botId = bot.botId;
    internals.set(this, state);
  }

  static async start(options: SlackEmulatorOptions): Promise<SlackEmulator> {
    if (!options.botToken) throw new RangeError('Slack emulator: botToken is required');
    const { appToken } = options;
    if (appToken !== undefined && !appToken.startsWith('xapp-')) throw new RangeError('Slack emulator: appToken must be an app-level token (xapp-…)');
    const workspace = new Workspace(options);
    const state: MethodContext = {
      workspace,
      messages: new MessageStore(),
      views: new ViewStore({ teamId: workspace.team.id, appId: workspace.bot.appId, botId: workspace.bot.botId }),
      triggers: new TriggerRegistry(options.triggerTtlMs ?? SLACK_TRIGGER_TTL_MS),
      files: new FileStore(),
      ...(appToken !== undefined ? { socketMode: new SocketModeHub(workspace.bot.appId) } : {}),
    };
    const faults = new FaultPlan();
    const log = new CallLog();
    const server = createApiServer({ botToken: options.botToken, ...(appToken !== undefined ? { appToken } : {}), context: state, faults, log });
    const baseUrl = await listen(server, '127.0.0.1');
    state.files.attach(baseUrl);
    state.socketMode?.attach(server, baseUrl);
    return new SlackEmulator(server, state, faults, log, baseUrl);
  }

  /**
   * Every Web API call received, and every post to an upload URL (method UPLOAD_URL_CALL, the
   * bytes as text in args.content), in arrival order.
   */
  get calls(): readonly RecordedCall[] {
    return this.log.all;
  }

  callsTo(method: string): RecordedCall[] {
    return this.log.all.filter((call) => call.method === method);
  }

  /** Messages as they stand now (after updates and deletions), per channel in posting order. */
  messages(channel?: string): EmulatedMessage[] {
    return this.state.messages.list(channel);
  }

  message(channel: string, ts: string): EmulatedMessage | undefined {
    const found = this.state.messages.find(channel, ts);
    return found && snapshot(found);
  }

  /**
   * Files whose bytes reached their upload URL, in the order files.getUploadURLExternal reserved
   * them: completed or not, shared or private (copies: changing them changes nothing).
   */
  uploadedFiles(): EmulatedFile[] {
    return this.state.files.list();
  }

  /** Ephemeral messages shown to a user (or to anyone), in posting order. */
  ephemeralMessages(userId?: string): EmulatedEphemeral[] {
    return this.state.messages.ephemerals(userId);
  }

  /** Modals open on a user's screen (or anyone's): one per user. */
  openViews(userId?: string): EmulatedView[] {
    return this.state.views.modals(userId);
  }

  homeView(userId: string): EmulatedView | undefined {
    return this.state.views.home(userId);
  }

  /** An open modal or a published Home tab. */
  view(viewId: string): EmulatedView | undefined {
    const found = this.state.views.find(viewId);
    return found && this.state.views.snapshot(found);
  }

  /** Registers a trigger_id the driver is about to send: usable once, within the trigger lifetime (3 s by default). */
  issueTrigger(userId: string): string {
    return this.state.triggers.issue(userId);
  }

  /**
   * The next `times` (default 1) calls to `method` fail with `error`: "ratelimited" answers
   * HTTP 429 with Retry-After: retryAfterSeconds (default 1), anything else HTTP 200 `{ ok: false, error }`.
   * For UPLOAD_URL_CALL, posts to upload URLs fail: 429 likewise, anything else HTTP 500.
   */
  inject(method: string, error: string, options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.faults.inject(method, error, options);
  }

  /** Takes the Web API down (every call answers HTTP 503, and is logged) or brings it back. */
  setDown(down: boolean): void {
    this.faults.down = down;
  }

  channel(id: string): EmulatedChannel | undefined {
    const conversation = this.state.workspace.conversation(id);
    return conversation && { id: conversation.id, name: conversation.name };
  }

  /** The DM between the app and a user (what conversations.open answers), opened if needed. */
  dmChannel(userId: string): string {
    if (!this.state.workspace.user(userId)) throw new Error(`Slack emulator: no user ${userId}`);
    return this.state.workspace.openDm([userId]).id;
  }

  /** Socket Mode connections the app has open now (0 without an app token). */
  get socketConnections(): number {
    return this.state.socketMode?.connectionCount ?? 0;
  }

  /**
   * Sends Socket Mode's `disconnect` message on every open connection, as Slack does before it
   * refreshes one ("warning", "refresh_requested") or when Socket Mode is turned off
   * ("link_disabled"); the app is expected to close it and connect again. Returns how many got it.
   */
  disconnectSockets(reason: DisconnectReason = 'refresh_requested'): number {
    if (!this.state.socketMode) throw new Error('Slack emulator: Socket Mode needs an appToken');
    return this.state.socketMode.disconnect(reason);
  }

  /** Closes Socket Mode connections (code 1001, going away), then the server; calling it again is harmless. */
  close(): Promise<void> {
    this.closed ??= (this.state.socketMode?.close() ?? Promise.resolve()).then(() => stop(this.server));
    return this.closed;
  }
}
