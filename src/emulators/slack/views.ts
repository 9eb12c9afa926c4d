/**
 * Views as Slack keeps them: the modal open on each user's screen (views.open; the bot never
 * pushes a second onto it, so one per user) and each user's published Home tab, which views.publish
 * replaces, refusing a stale hash with hash_conflict (docs.slack.dev/reference/methods/views.publish).
 * Every change gets a new hash. The view object follows the views.open/publish response examples.
 * Closing after a submission follows docs.slack.dev/surfaces/modals#close: an empty ack closes
 * the submitted view. Guessed: views.open while a modal is open replaces it; a
 * Home tab keeps its view id across publishes.
 */
import type { AnyBlock } from '@slack/types';
import { SlackApiError } from './api-error';
import { withGeneratedIds } from './block-kit';
import { isJsonObject, type JsonObject } from './json';
import { newId, newViewHash } from './ids';
import type { EmulatedView, ViewOutput } from './types';

interface StoredView {
  id: string;
  type: 'modal' | 'home';
  userId: string;
  hash: string;
  /** The view as the app defined it, with the ids Slack generates filled in. */
  definition: JsonObject;
  rootViewId: string;
  previousViewId: string | null;
  updateCount: number;
  errors?: Record<string, string>;
}

export type ViewRef = Readonly<StoredView>;

interface Owner {
  teamId: string;
  appId: string;
  botId: string;
}

const blocksOf = (definition: JsonObject): JsonObject[] => (Array.isArray(definition.blocks) ? definition.blocks.filter(isJsonObject) : []);
const stringField = (definition: JsonObject, key: string): string => (typeof definition[key] === 'string' ? definition[key] : '');

export class ViewStore {
  private readonly views = new Map<string, StoredView>();
  /** userId → the modal on their screen. */
  private readonly modalOf = new Map<string, string>();
  private readonly homes = new Map<string, string>();

  constructor(private readonly owner: Owner) {}

  open(userId: string, definition: JsonObject): ViewRef {
    const current = this.modalOf.get(userId);
    if (current !== undefined) this.close(current);
    const view = this.create(userId, 'modal', definition);
    this.modalOf.set(userId, view.id);
    return view;
  }

  publish(userId: string, definition: JsonObject, hash?: string): ViewRef {
    const existing = this.homes.get(userId);
    const home = existing === undefined ? undefined : this.views.get(existing);
    if (home) {
      this.replace(home, definition, hash);
      return home;
    }
    const view = this.create(userId, 'home', definition);
    this.homes.set(userId, view.id);
    return view;
  }

  find(viewId: string): ViewRef | undefined {
    return this.views.get(viewId);
  }

  /** The modal a user sees. */
  top(userId: string): ViewRef | undefined {
    const id = this.modalOf.get(userId);
    return id === undefined ? undefined : this.views.get(id);
  }

  close(viewId: string): void {
    const view = this.views.get(viewId);
    if (!view || this.modalOf.get(view.userId) !== viewId) return;
    this.modalOf.delete(view.userId);
    this.views.delete(viewId);
  }

  setErrors(viewId: string, errors: Record<string, string>): void {
    const view = this.views.get(viewId);
    if (view) view.errors = { ...errors };
  }

  /** Open modals, one per user at most (Home tabs are home()'s). */
  modals(userId?: string): EmulatedView[] {
    const ids = userId === undefined ? [...this.modalOf.values()] : [this.modalOf.get(userId)];
    return ids.flatMap((id) => {
      if (id === undefined) return [];
      const view = this.views.get(id);
      return view ? [this.snapshot(view)] : [];
    });
  }

  home(userId: string): EmulatedView | undefined {
    const id = this.homes.get(userId);
    const view = id === undefined ? undefined : this.views.get(id);
    return view && this.snapshot(view);
  }

  /** The view object as views.* answer it; interaction payloads add the input state. */
  output(view: ViewRef): ViewOutput {
    const d = view.definition;
    const output: JsonObject = {
      id: view.id,
      team_id: this.owner.teamId,
      type: view.type,
      ...(d.title !== undefined ? { title: d.title } : {}),
      close: d.close ?? null,
      submit: d.submit ?? null,
      blocks: structuredClone(blocksOf(d)),
      private_metadata: stringField(d, 'private_metadata'),
      callback_id: stringField(d, 'callback_id'),
      state: { values: {} },
      hash: view.hash,
      clear_on_close: d.clear_on_close === true,
      notify_on_close: d.notify_on_close === true,
      root_view_id: view.rootViewId,
      previous_view_id: view.previousViewId,
      app_id: this.owner.appId,
      external_id: stringField(d, 'external_id'),
      app_installed_team_id: this.owner.teamId,
      bot_id: this.owner.botId,
    };
    return output as unknown as ViewOutput;
  }

  snapshot(view: ViewRef): EmulatedView {
    return {
      id: view.id,
      type: view.type,
      userId: view.userId,
      hash: view.hash,
      callbackId: stringField(view.definition, 'callback_id'),
      privateMetadata: stringField(view.definition, 'private_metadata'),
      externalId: stringField(view.definition, 'external_id'),
      blocks: structuredClone(blocksOf(view.definition)) as unknown as AnyBlock[],
      rootViewId: view.rootViewId,
      previousViewId: view.previousViewId,
      updateCount: view.updateCount,
      ...(view.errors ? { errors: { ...view.errors } } : {}),
      output: this.output(view),
    };
  }

  private create(userId: string, type: 'modal' | 'home', definition: JsonObject): StoredView {
    const id = newId('V');
    const view: StoredView = {
      id,
      type,
      userId,
      hash: newViewHash(Date.now()),
      definition: this.prepare(definition),
      rootViewId: id,
      previousViewId: null,
      updateCount: 0,
    };
    this.views.set(id, view);
    return view;
  }

  private replace(view: StoredView, definition: JsonObject, hash: string | undefined): void {
    if (hash !== undefined && hash !== view.hash) throw new SlackApiError('hash_conflict');
    view.definition = this.prepare(definition);
    view.hash = newViewHash(Date.now());
    view.updateCount += 1;
    delete view.errors;
  }

  private prepare(definition: JsonObject): JsonObject {
    return { ...structuredClone(definition), blocks: withGeneratedIds(blocksOf(definition)) };
  }
}
