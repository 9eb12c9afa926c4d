/**
 * Secrets reach the CLI through stdin or a prompt with echo off, never through argv
 * (which other users can read from the process table and shells keep in history).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { SecretValueSchema, check, type SecretValue } from '../shared/schemas';
import type { Io } from './context';

/** Reads the next `count` lines: from a prompt per line on a terminal, else from piped stdin. */
export async function readSecretLines(io: Io, prompts: string[]): Promise<string[]> {
  if (io.stdin.isTTY) {
    const answers: string[] = [];
    for (const prompt of prompts) answers.push(await promptHidden(io, prompt));
    return answers;
  }
  const lines: string[] = [];
  const reader = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of reader) {
    lines.push(line);
    if (lines.length === prompts.length) break;
  }
  reader.close();
  return lines;
}

function promptHidden(io: Io, prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) io.stderr(String(chunk));
      done();
    },
  });
  const reader = createInterface({ input: io.stdin, output, terminal: true });
  return new Promise((resolve) => {
    reader.question(`${prompt}: `, (answer) => {
      reader.close();
      io.stderr('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** Checks a secret's shape; the error names the field and never repeats the value. */
export function parseSecret(value: string | undefined, label: string): SecretValue {
  const parsed = check(SecretValueSchema, (value ?? '').trim());
  if (!parsed.ok) {
    const why = value === undefined || value.trim() === '' ? 'nothing was given' : parsed.message;
    throw new PlaidSetupError(
      ERROR_CODES.INPUT_INVALID,
      `${label}: ${why}. Pipe it as the first line of stdin or type it at the prompt.`,
    );
  }
  return parsed.value;
}
