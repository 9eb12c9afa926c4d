/**
 * The `state.values` Slack sends with a view: every input block, keyed block_id → action_id →
 * a value object whose shape depends on the element (docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 * and the "full state" changelog, docs.slack.dev/changelog/2020-09-full-state-on-view-submisson-and-block-actions):
 * text inputs `{ type, value }` (null when empty), radio buttons and single selects
 * `{ type, selected_option }` (null when none), checkboxes and multi selects
 * `{ type, selected_options }`, date/time pickers and user/conversation/channel selects their
 * `selected_*` fields. A field left alone carries its initial value. A required input left empty
 * stops the Slack client from submitting at all (docs.slack.dev/reference/block-kit/blocks/input-block: `optional`).
 * Guessed: the exact fields of a selected option (text, value and any description, as defined).
 */
import { isJsonObject, type JsonObject } from './json';
import type { RawBlockValues, ViewStateValue } from './types';

/** A value per input block: the element's value(s) as plain strings, or Slack's own form keyed by action_id. */
export type SubmittedValue = string | string[] | undefined | RawBlockValues;

export interface ViewState {
  values: Record<string, RawBlockValues>;
  /** block_ids of required inputs that are empty. */
  emptyRequired: string[];
}

function optionsOf(element: JsonObject): JsonObject[] {
  const groups = Array.isArray(element.option_groups) ? element.option_groups.filter(isJsonObject) : [];
  const grouped = groups.flatMap((group) => (Array.isArray(group.options) ? group.options : []));
  return [...(Array.isArray(element.options) ? element.options : []), ...grouped].filter(isJsonObject);
}

function selected(option: JsonObject): NonNullable<ViewStateValue['selected_option']> {
  return { text: option.text, value: option.value, ...(option.description !== undefined ? { description: option.description } : {}) } as NonNullable<
    ViewStateValue['selected_option']
  >;
}

/** One given value: undefined when none was given, null when it was cleared (''). */
function one(given: string | string[] | undefined, blockId: string): string | null | undefined {
  if (Array.isArray(given) && given.length > 1) throw new Error(`Slack driver: input ${blockId} takes one value, not ${given.length}`);
  const value = Array.isArray(given) ? (given[0] ?? '') : given;
  return value === '' ? null : value;
}

const many = (given: string | string[] | undefined): string[] | undefined => (given === undefined ? undefined : Array.isArray(given) ? given : [given]);

function pickOptions(element: JsonObject, values: string[], blockId: string): NonNullable<ViewStateValue['selected_options']> {
  const options = optionsOf(element);
  return values.map((value) => {
    const option = options.find((o) => o.value === value);
    if (!option) throw new Error(`Slack driver: input ${blockId} has no option "${value}"`);
    return selected(option);
  });
}

const initial = (element: JsonObject, key: string): unknown => element[key];
const initialString = (element: JsonObject, key: string): string | null => (typeof element[key] === 'string' ? element[key] : null);
const initialStrings = (element: JsonObject, key: string): string[] => (Array.isArray(element[key]) ? element[key].filter((v) => typeof v === 'string') : []);

/** The element's value object: what was given, else its initial value, else empty. */
function elementState(element: JsonObject, given: string | string[] | undefined, blockId: string): ViewStateValue {
  const type = String(element.type);
  const single = (key: string, initialKey: string): ViewStateValue => {
    const value = one(given, blockId);
    return { type, [key]: value === undefined ? initialString(element, initialKey) : value };
  };
  const multiple = (key: string, initialKey: string): ViewStateValue => ({ type, [key]: many(given) ?? initialStrings(element, initialKey) });
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_text_input':
      return single('value', 'initial_value');
    case 'static_select':
    case 'radio_buttons': {
      const value = one(given, blockId);
      const start = initial(element, 'initial_option');
      if (value === undefined) return { type, selected_option: isJsonObject(start) ? selected(start) : null };
      return { type, selected_option: value === null ? null : (pickOptions(element, [value], blockId)[0] ?? null) };
    }
    case 'multi_static_select':
    case 'checkboxes': {
      const values = many(given);
      const start = initial(element, 'initial_options');
      const fallback = Array.isArray(start) ? start.filter(isJsonObject).map(selected) : [];
      return { type, selected_options: values !== undefined ? pickOptions(element, values, blockId) : fallback };
    }
    case 'datepicker':
      return single('selected_date', 'initial_date');
    case 'timepicker':
      return single('selected_time', 'initial_time');
    case 'users_select':
      return single('selected_user', 'initial_user');
    case 'conversations_select':
      return single('selected_conversation', 'initial_conversation');
    case 'channels_select':
      return single('selected_channel', 'initial_channel');
    case 'multi_users_select':
      return multiple('selected_users', 'initial_users');
    case 'multi_conversations_select':
      return multiple('selected_conversations', 'initial_conversations');
    case 'multi_channels_select':
      return multiple('selected_channels', 'initial_channels');
    default:
      throw new Error(`Slack driver: give input ${blockId} (a ${type}) in Slack's own form, action_id → value object`);
  }
}

function isEmpty(value: ViewStateValue): boolean {
  return Object.entries(value).every(([key, v]) => key === 'type' || v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0));
}

export function viewState(blocks: readonly unknown[], given: Readonly<Record<string, SubmittedValue>>): ViewState {
  const inputs = blocks.filter((b): b is JsonObject => isJsonObject(b) && b.type === 'input' && isJsonObject(b.element));
  const unknown = Object.keys(given).filter((blockId) => !inputs.some((b) => b.block_id === blockId));
  if (unknown.length > 0) throw new Error(`Slack driver: the view has no input block ${unknown.join(', ')}`);
  const state: ViewState = { values: {}, emptyRequired: [] };
  for (const block of inputs) {
    const blockId = String(block.block_id);
    const element = block.element as JsonObject;
    const value = given[blockId];
    const values: RawBlockValues = isJsonObject(value) ? (value as RawBlockValues) : { [String(element.action_id)]: elementState(element, value, blockId) };
    state.values[blockId] = values;
    if (block.optional !== true && Object.values(values).every(isEmpty)) state.emptyRequired.push(blockId);
  }
  return state;
}
