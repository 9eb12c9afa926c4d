/**
 * Property-based fuzzing of the entry points' parsers (issue 14, item 2, first part), with
 * fast-check: slash command text, modal and secret-form submissions, button values, modal
 * metadata and environment values. Each must answer any input without throwing, with a
 * clear error, and never repeat a typed value in that error. FUZZ_RUNS cases per property
 * (default 1,000 here; `FUZZ_RUNS=10000 npx jest test/fuzz.test.ts` for the full run).
 */
import fc from 'fast-check';
import { parseSlashCommand } from '../src/bot/commands';
import { parseSubmission } from '../src/bot/submission';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';
import { isPlaidSetupError } from '../src/errors';
import { FIELD_ACTION_ID, FIELDS, VIEWS, parseButtonValue } from '../src/slack/ids';
import { parseViewMetadata, type SubmittedValues } from '../src/slack/views';
import { COMMAND_ACTIONS } from '../src/shared/actions';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const params = { numRuns: RUNS };

/** Text a person might type, and text an attacker would: words of ours, mrkdwn, control characters. */
const typed = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc
    .tuple(fc.constantFrom('', 'start', 'status', 'history', 'list', 'help', ...COMMAND_ACTIONS.keys(), '__proto__', 'constructor'), fc.string({ maxLength: 120 }))
    .map(([word, rest]) => `${word} ${rest}`),
  fc.constantFrom('<!channel>', '<@U0ALICE>', '<#C0CHECKLIST>', '&lt;', '*bold* _it_', '```x```', '\u0000\u200b\ufeff'),
);

/** A long random marker: if it shows up in an error, the error repeated what was typed. */
const marker = fc.stringMatching(/^[a-z0-9]{16,24}$/);

test('any slash command text parses to something the bot can answer, and help never echoes mrkdwn', () => {
  fc.assert(
    fc.property(typed, (text) => {
      const parsed = parseSlashCommand(text);
      expect(['start', 'status', 'list', 'history', 'help', 'action']).toContain(parsed.kind);
      if (parsed.kind === 'help' && parsed.problem) expect(parsed.problem).not.toMatch(/<[!@#]/);
    }),
    params,
  );
});

const VIEW_IDS = Object.values(VIEWS);
const FIELD_IDS = Object.values(FIELDS);

/** Slack's view.state.values, well-formed or not. */
const values = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELD_IDS), fc.string({ maxLength: 20 })),
  fc.dictionary(
    fc.oneof(fc.constant(FIELD_ACTION_ID), fc.string({ maxLength: 10 })),
    fc.record(
      {
        type: fc.constantFrom('plain_text_input', 'static_select', 'radio_buttons', 'checkboxes'),
        value: fc.option(fc.oneof(typed, marker), { nil: null }),
        selected_option: fc.option(fc.record({ value: fc.oneof(typed, fc.constantFrom('sandbox', 'production', 'continuous', 'one-off')) }), { nil: null }),
        selected_options: fc.option(fc.array(fc.record({ value: fc.oneof(fc.constantFrom('US', 'GB', 'CA', 'DE'), typed) }), { maxLength: 10 }), { nil: null }),
      },
      { requiredKeys: ['type'] },
    ),
    { maxKeys: 2 },
  ),
  { maxKeys: 8 },
);

test('any modal or secret-form submission parses or names its fields, without repeating a typed value', () => {
  fc.assert(
    fc.property(fc.constantFrom(...VIEW_IDS, 'plaid_setup.unknown'), values, (view, submitted) => {
      const parsed = parseSubmission(view, submitted as SubmittedValues);
      if (parsed.ok) return;
      const typedValues = Object.values(submitted)
        .flatMap((byAction) => Object.values(byAction))
        .map((input) => input.value?.trim() ?? '')
        .filter((v) => /^[a-z0-9]{16,24}$/.test(v));
      for (const message of Object.values(parsed.errors)) {
        expect(typeof message).toBe('string');
        for (const v of typedValues) expect(message).not.toContain(v);
      }
    }),
    params,
  );
});

test('button values and modal metadata from anywhere are ours or refused, never a throw', () => {
  fc.assert(
    fc.property(fc.option(typed, { nil: undefined }), (value) => {
      const button = parseButtonValue(value);
      if (button) expect(button.setupId).toMatch(/^[a-z0-9-]{1,48}$/);
      parseViewMetadata(value ?? '');
    }),
    params,
  );
});

test('any environment value starts, or stops with CONFIG_INVALID naming the variable, never quoting the value', () => {
  fc.assert(
    fc.property(fc.subarray([...CONFIG_VARIABLES], { minLength: 1, maxLength: 4 }), marker, typed, (names, secret, noise) => {
      const env = Object.fromEntries(names.map((n, i) => [n, i === 0 ? secret : noise]));
      try {
        loadConfig(env, '/srv/app');
      } catch (err) {
        expect(isPlaidSetupError(err) && err.code).toBe('CONFIG_INVALID');
        const message = (err as Error).message;
        expect(names.some((n) => message.includes(n))).toBe(true);
        expect(message).not.toContain(secret);
      }
    }),
    params,
  );
});
