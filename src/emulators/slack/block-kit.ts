/**
 * Block Kit as Slack checks it: the documented limits of each block, element, composition
 * object and view, reported as Slack reports schema failures ("[ERROR] <what> [json-pointer:…]").
 *
 * Limits copied from docs.slack.dev/reference/block-kit/blocks (50 blocks in a message, 100 in
 * a modal or Home tab; section text 3000, fields 10 × 2000; header 150; context 10 elements;
 * actions 25 elements; input label and hint 2000; image alt_text 2000; markdown 12000;
 * block_id 255), …/block-elements (button text 75, value 2000, url 3000; action_id 255;
 * placeholder 150; select 100 options, overflow 5, checkboxes and radio buttons 10;
 * plain_text_input max_length 3000), …/composition-objects (option text 75, value 150,
 * description 75) and docs.slack.dev/reference/views/modal-views (title, submit and close 24;
 * private_metadata 3000; callback_id and external_id 255; submit required with input blocks).
 *
 * Guessed: the wording of each message other than "must be less than N characters" (seen in
 * yonicd/slackreprex#3) and "missing required field: X" (views.push's documented error);
 * rejecting a duplicate block_id (the docs only say block_id "should be unique"); and that
 * unknown block or element types are refused outright.
 */
import { schemaMessage } from './api-error';
import { isJsonObject, type JsonObject } from './json';
import { newGeneratedId } from './ids';

type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Readonly<Record<Surface, number>> = { message: 50, modal: 100, home: 100 };

type Check = (value: unknown, pointer: string) => void;

/** Collects Slack-style problem lines for one request. */
class Problems {
  readonly lines: string[] = [];

  add(text: string, pointer: string): void {
    this.lines.push(schemaMessage(text, pointer));
  }

  string(max: number, min = 0): Check {
    return (value, pointer) => {
      if (typeof value !== 'string') return this.add('must be a string', pointer);
      if (value.length < min) this.add(`must be more than ${min - 1} characters`, pointer);
      if (value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
    };
  }

  text(max: number, plainOnly: boolean): Check {
    return (value, pointer) => {
      if (!isJsonObject(value)) return this.add('must be a text object', pointer);
      if (value.type !== 'plain_text' && value.type !== 'mrkdwn') return this.add('must be one of plain_text, mrkdwn', `${pointer}/type`);
      if (plainOnly && value.type !== 'plain_text') return this.add('must be a plain_text text object', `${pointer}/type`);
      this.required(value, 'text', pointer, this.string(max, 1));
    };
  }

  array(min: number, max: number, each: Check): Check {
    return (value, pointer) => {
      if (!Array.isArray(value)) return this.add('must be an array', pointer);
      if (value.length < min) this.add(`must provide at least ${min} items`, pointer);
      if (value.length > max) this.add(`must provide no more than ${max} items`, pointer);
      value.forEach((item, index) => each(item, `${pointer}/${index}`));
    };
  }

  oneOf(allowed: readonly string[]): Check {
    return (value, pointer) => {
      if (typeof value !== 'string' || !allowed.includes(value)) this.add(`must be one of ${allowed.join(', ')}`, pointer);
    };
  }

  required(object: JsonObject, key: string, pointer: string, check: Check): void {
    if (object[key] === undefined) this.add(`missing required field: ${key}`, pointer);
    else check(object[key], `${pointer}/${key}`);
  }

  optional(object: JsonObject, key: string, pointer: string, check: Check): void {
    if (object[key] !== undefined) check(object[key], `${pointer}/${key}`);
  }
}

const option = (p: Problems, plainOnly: boolean): Check => (value, pointer) => {
  if (!isJsonObject(value)) return p.add('must be an object', pointer);
  p.required(value, 'text', pointer, p.text(75, plainOnly));
  p.required(value, 'value', pointer, p.string(150));
  p.optional(value, 'description', pointer, p.text(75, plainOnly));
};

const optionGroup = (p: Problems): Check => (value, pointer) => {
  if (!isJsonObject(value)) return p.add('must be an object', pointer);
  p.required(value, 'label', pointer, p.text(75, true));
  p.required(value, 'options', pointer, p.array(1, 100, option(p, true)));
};

/** Element types with nothing to check beyond action_id and placeholder. */
const PLAIN_ELEMENTS = new Set([
  'datepicker', 'timepicker', 'datetimepicker', 'users_select', 'multi_users_select', 'conversations_select',
  'multi_conversations_select', 'channels_select', 'multi_channels_select', 'external_select', 'multi_external_select',
  'email_text_input', 'url_text_input', 'number_text_input', 'rich_text_input', 'file_input', 'workflow_button',
  'feedback_buttons', 'icon_button',
]);

function imageElement(p: Problems, element: JsonObject, pointer: string): void {
  if (element.image_url === undefined && element.slack_file === undefined) p.add('missing required field: image_url', pointer);
  p.optional(element, 'image_url', pointer, p.string(3000));
  p.required(element, 'alt_text', pointer, p.string(2000));
}

const element = (p: Problems): Check => (value, pointer) => {
  if (!isJsonObject(value)) return p.add('must be an object', pointer);
  const type = value.type;
  if (type === 'image') return imageElement(p, value, pointer);
  p.optional(value, 'action_id', pointer, p.string(255));
  p.optional(value, 'placeholder', pointer, p.text(150, true));
  switch (type) {
    case 'button':
      p.required(value, 'text', pointer, p.text(75, true));
      p.optional(value, 'value', pointer, p.string(2000));
      p.optional(value, 'url', pointer, p.string(3000));
      p.optional(value, 'style', pointer, p.oneOf(['primary', 'danger']));
      return;
    case 'static_select':
    case 'multi_static_select':
      if (value.options === undefined && value.option_groups === undefined) p.add('missing required field: options', pointer);
      p.optional(value, 'options', pointer, p.array(1, 100, option(p, true)));
      p.optional(value, 'option_groups', pointer, p.array(1, 100, optionGroup(p)));
      return;
    case 'overflow':
      p.required(value, 'options', pointer, p.array(1, 5, option(p, true)));
      return;
    case 'checkboxes':
    case 'radio_buttons':
      p.required(value, 'options', pointer, p.array(1, 10, option(p, false)));
      return;
    case 'plain_text_input':
      p.optional(value, 'initial_value', pointer, p.string(3000));
      for (const key of ['min_length', 'max_length']) {
        p.optional(value, key, pointer, (n, at) => {
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 3000) p.add('must be an integer from 0 to 3000', at);
        });
      }
      return;
    default:
      if (typeof type !== 'string' || !PLAIN_ELEMENTS.has(type)) p.add(`unsupported type: ${String(type)}`, `${pointer}/type`);
  }
};

const contextElement = (p: Problems): Check => (value, pointer) => {
  if (isJsonObject(value) && value.type === 'image') return element(p)(value, pointer);
  p.text(3000, false)(value, pointer);
};

/** Block types Slack accepts that carry nothing this emulator checks. */
const OPAQUE_BLOCKS = new Set(['rich_text', 'video', 'file', 'table', 'context_actions', 'plan', 'task_card', 'card', 'carousel']);

function checkBlock(p: Problems, block: unknown, pointer: string): void {
  if (!isJsonObject(block)) return p.add('must be an object', pointer);
  p.optional(block, 'block_id', pointer, p.string(255));
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) p.add('missing required field: text', pointer);
      p.optional(block, 'text', pointer, p.text(3000, false));
      p.optional(block, 'fields', pointer, p.array(1, 10, p.text(2000, false)));
      p.optional(block, 'accessory', pointer, element(p));
      return;
    case 'header':
      p.required(block, 'text', pointer, p.text(150, true));
      return;
    case 'divider':
      return;
    case 'context':
      p.required(block, 'elements', pointer, p.array(1, 10, contextElement(p)));
      return;
    case 'actions':
      p.required(block, 'elements', pointer, p.array(1, 25, element(p)));
      return;
    case 'input':
      p.required(block, 'label', pointer, p.text(2000, true));
      p.required(block, 'element', pointer, element(p));
      p.optional(block, 'hint', pointer, p.text(2000, true));
      return;
    case 'image':
      imageElement(p, block, pointer);
      p.optional(block, 'title', pointer, p.text(2000, true));
      return;
    case 'markdown':
      p.required(block, 'text', pointer, p.string(12000, 1));
      return;
    default:
      if (typeof block.type !== 'string' || !OPAQUE_BLOCKS.has(block.type)) p.add(`unsupported type: ${String(block.type)}`, `${pointer}/type`);
  }
}

function checkBlocks(p: Problems, blocks: unknown, pointer: string, surface: Surface): void {
  p.array(0, MAX_BLOCKS[surface], (block, at) => checkBlock(p, block, at))(blocks, pointer);
  if (!Array.isArray(blocks)) return;
  const seen = new Set<unknown>();
  blocks.forEach((block, index) => {
    if (!isJsonObject(block) || block.block_id === undefined) return;
    if (seen.has(block.block_id)) p.add('duplicate block_id', `${pointer}/${index}/block_id`);
    seen.add(block.block_id);
  });
}

/** What is wrong with a message's blocks (json pointers under /blocks); empty when nothing is. */
export function messageBlockProblems(blocks: unknown): string[] {
  const p = new Problems();
  checkBlocks(p, blocks, '/blocks', 'message');
  return p.lines;
}

/** What is wrong with a view object (json pointers under /view); empty when nothing is. */
export function viewProblems(view: unknown): string[] {
  const p = new Problems();
  if (!isJsonObject(view)) {
    p.add('must be an object', '/view');
    return p.lines;
  }
  p.required(view, 'type', '/view', p.oneOf(['modal', 'home']));
  if (view.type === 'modal') {
    p.required(view, 'title', '/view', p.text(24, true));
    p.optional(view, 'close', '/view', p.text(24, true));
    p.optional(view, 'submit', '/view', p.text(24, true));
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((block) => isJsonObject(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) p.add('missing required field: submit', '/view');
  }
  if (view.blocks === undefined) p.add('missing required field: blocks', '/view');
  else checkBlocks(p, view.blocks, '/view/blocks', view.type === 'home' ? 'home' : 'modal');
  p.optional(view, 'private_metadata', '/view', p.string(3000));
  p.optional(view, 'callback_id', '/view', p.string(255));
  p.optional(view, 'external_id', '/view', p.string(255));
  return p.lines;
}

/** Where an element can hold an action_id. */
function interactiveElements(block: JsonObject): JsonObject[] {
  const candidates = [block.accessory, block.element, ...(block.type === 'actions' && Array.isArray(block.elements) ? block.elements : [])];
  return candidates.filter((e): e is JsonObject => isJsonObject(e) && e.type !== 'image');
}

/**
 * A copy of valid blocks with the ids Slack generates for those sent without one:
 * block_id ("If not specified, a block_id will be generated") and action_id (guessed the same way).
 */
export function withGeneratedIds(blocks: readonly JsonObject[]): JsonObject[] {
  return blocks.map((original) => {
    const block = structuredClone(original);
    block.block_id ??= newGeneratedId();
    for (const e of interactiveElements(block)) e.action_id ??= newGeneratedId();
    return block;
  });
}

/** The element with this action_id and the block holding it, searching blocks in order. */
export function findAction(blocks: readonly unknown[], actionId: string): { block: JsonObject; element: JsonObject } | undefined {
  for (const block of blocks) {
    if (!isJsonObject(block)) continue;
    const element = interactiveElements(block).find((e) => e.action_id === actionId);
    if (element) return { block, element };
  }
  return undefined;
}
