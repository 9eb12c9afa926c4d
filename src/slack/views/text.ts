/**
 * Text for Block Kit: Slack's size limits, escaping, safe truncation, dates and the small
 * composition objects every builder uses. Pure; no Slack client.
 */
import type { ContextBlock, DividerBlock, HeaderBlock, KnownBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import type { ActorRef } from '../../domain/state';

/** The Block Kit limits the builders keep to (docs.slack.dev, Block Kit reference). */
export const LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  optionText: 75,
  optionDescription: 75,
  privateMetadata: 3000,
  /** chat.postMessage's `text` is cut at 40,000; a fallback summary should be far shorter. */
  fallbackText: 3000,
} as const;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts plain text to `max` UTF-16 units (never more characters than Slack counts), ending in "…". */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Cuts mrkdwn to `max`, never inside an escape (`&amp;`) or a Slack token (`<!date^…>`,
 * `<@U…>`): a half token would show as garbage or make Slack refuse the block.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  return `${cut}…`;
}

/** A timestamp Slack shows in the reader's time zone, with the ISO time as fallback. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

/** A person as the checklist names them (display name only: no mention, so no ping on every update). */
export function who(actor: ActorRef | undefined): string {
  return actor ? escapeMrkdwn(actor.displayName) : 'someone';
}

/** "Alice, <date>" / "<date>" / "" for a step or decision. */
export function byAt(actor: ActorRef | undefined, at: string | undefined): string {
  const parts = [actor ? who(actor) : undefined, at ? slackDate(at) : undefined].filter((p) => p !== undefined);
  return parts.join(', ');
}

/** Inline code, escaped; backticks inside would end the span, so they become quotes. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

export function plain(text: string, max: number): PlainTextElement {
  return { type: 'plain_text', text: truncatePlain(text, max), emoji: true };
}

export function mrkdwn(text: string, max: number = LIMITS.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(text, max) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text, LIMITS.sectionText) };
}

/** Sections of at most ten fields each. */
export function fieldSections(fields: string[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + LIMITS.sectionFields).map((f) => mrkdwn(f, LIMITS.fieldText)),
    });
  }
  return blocks;
}

export function context(texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t, LIMITS.contextText)),
  };
}

export const divider: DividerBlock = { type: 'divider' };

/**
 * Keeps a surface within its block limit: the tail (buttons) always stays; the body is cut
 * and ends with a note saying where to read the rest.
 */
export function fitBlocks(body: KnownBlock[], tail: KnownBlock[], max: number, note: string): KnownBlock[] {
  if (body.length + tail.length <= max) return [...body, ...tail];
  const room = Math.max(0, max - tail.length - 1);
  return [...body.slice(0, room), context([note]), ...tail];
}

/** Where Plaid shows the keys, as mrkdwn (the ">" escaped). */
export const PLAID_KEYS = 'Plaid Dashboard &gt; Team Settings &gt; Keys';

/** Free text people typed, as a block quote (their own ">" escaped, each line quoted). */
export function quote(text: string, max = 1000): string {
  return `> ${escapeMrkdwn(truncatePlain(text, max)).replace(/\n/g, '\n> ')}`;
}
