/**
 * Turns a raw request into a typed one, or into the INVALID_REQUEST error Plaid answers
 * (https://plaid.com/docs/errors/invalid-request/):
 * - no Content-Type is INVALID_HEADERS; another content type or a body that is not a JSON
 *   object is INVALID_BODY;
 * - fields the endpoint does not declare are UNKNOWN_FIELDS, listed as dotted paths
 *   ("user.email", as Plaid lists them: TomorrowIdeas/plaid-sdk-php#92);
 * - absent required fields, client_id and secret included, are MISSING_FIELDS, all listed;
 * - anything else wrong is INVALID_FIELD naming the first offending field.
 * Plaid does not document which of these wins when several apply; this order is a best guess.
 *
 * client_id and secret come from the PLAID-CLIENT-ID / PLAID-SECRET headers (what the
 * official SDKs send) or from the body; when both are present the header wins (best guess).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { invalidBody, invalidField, malformedCredential, missingContentType, missingFields, unknownFields } from './errors';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body parsed as JSON; undefined when it is not JSON. */
export function parseJson(raw: string): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(raw) as unknown };
  } catch {
    return undefined;
  }
}

/** The request's JSON object, or why Plaid would refuse the body. */
export function jsonBody(contentType: string | undefined, parsed: { json: unknown } | undefined): JsonObject {
  if (!contentType) throw missingContentType();
  if (contentType.split(';')[0]?.trim().toLowerCase() !== 'application/json') throw invalidBody();
  if (!parsed || !isJsonObject(parsed.json)) throw invalidBody();
  return parsed.json;
}

export interface Credentials {
  clientId: string;
  secret: string;
}

type CredentialField = 'client_id' | 'secret';
const CREDENTIAL_HEADERS: Record<CredentialField, string> = { client_id: 'plaid-client-id', secret: 'plaid-secret' };

/** A credential as sent: header first, then body; undefined when sent in neither place. */
export function sentCredential(field: CredentialField, headers: IncomingHttpHeaders, body: unknown): unknown {
  const header = headers[CREDENTIAL_HEADERS[field]];
  if (header !== undefined) return header;
  return isJsonObject(body) ? body[field] : undefined;
}

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  // zod reports a non-number sent for z.int() as "expected number"; every numeric field these endpoints take is an integer.
  number: 'an integer',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

const FORMAT_NAMES: Record<string, string> = {
  url: 'a valid http(s) URL',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'an ISO 8601 date-time with a time zone',
};

/** What a field must be, in the style of Plaid's INVALID_FIELD messages ("country_codes must be a non-empty string array"). */
function requirement(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'a non-empty string';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'a non-empty array';
      return issue.origin === 'number' ? `at least ${String(issue.minimum)}` : `at least ${String(issue.minimum)} long`;
    case 'too_big':
      return issue.origin === 'number' ? `at most ${String(issue.maximum)}` : `at most ${String(issue.maximum)} long`;
    case 'invalid_value':
      return `one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`;
    default:
      return 'valid';
  }
}

export interface RequestCheck<T> {
  schema: z.ZodType<T>;
  /** Fields the spec's prose requires that the schema cannot express (e.g. "one of user or user_id"). */
  requires?: (body: JsonObject) => string[];
}

/** The typed request and its credentials, or the Plaid error for the first problem found. */
export function validateRequest<T>(check: RequestCheck<T>, body: JsonObject, headers: IncomingHttpHeaders): { input: T; credentials: Credentials } {
  const result = check.schema.safeParse(body);
  const issues = result.success ? [] : result.error.issues;

  const unknown = issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => pathText([...issue.path, key])) : []));
  if (unknown.length > 0) throw unknownFields(unknown);

  const sent = { client_id: sentCredential('client_id', headers, body), secret: sentCredential('secret', headers, body) };
  const missing = [
    ...(['client_id', 'secret'] as const).filter((field) => sent[field] === undefined),
    ...(check.requires?.(body) ?? []),
    ...issues.filter((issue) => issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined).map((issue) => pathText(issue.path)),
  ];
  if (missing.length > 0) throw missingFields([...new Set(missing)]);

  const credentials = { clientId: wellFormed('client_id', sent.client_id), secret: wellFormed('secret', sent.secret) };
  if (!result.success) {
    const [first] = result.error.issues;
    throw invalidField(first ? `${pathText(first.path)} must be ${requirement(first)}` : 'the request body is invalid');
  }
  return { input: result.data, credentials };
}

function wellFormed(field: CredentialField, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw malformedCredential(field);
  return value;
}
