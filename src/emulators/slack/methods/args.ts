/**
 * Reading a method's arguments the way both encodings arrive: form values are strings, JSON
 * values keep their types, and nested arguments (blocks, view) may be JSON-encoded strings
 * (docs.slack.dev/reference/methods/chat.postMessage: blocks "presented as a URL-encoded string").
 */
import type { SlackApiError } from '../api-error';
import type { JsonObject } from '../json';

export function stringArg(args: JsonObject, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function boolArg(args: JsonObject, name: string): boolean {
  const value = args[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A comma-separated list, or a JSON array of strings. */
export function listArg(args: JsonObject, name: string): string[] {
  const value = args[name];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim()).filter((item) => item !== '');
}

/** A structured argument: decoded when sent JSON-encoded; `invalid` when its JSON does not parse. */
export function jsonArg(args: JsonObject, name: string, invalid: () => SlackApiError): unknown {
  const value = args[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalid();
  }
}
