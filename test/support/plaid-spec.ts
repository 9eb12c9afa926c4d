/**
 * Validates JSON request and response bodies against Plaid's published OpenAPI 3.0
 * spec, so contract tests can prove what we send and what an emulator returns match
 * the real API. The spec lives outside the repo (it is ~3 MB and not ours to copy);
 * when it is absent `loadPlaidSpec()` returns undefined and contract tests skip.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const PLAID_SPEC_PATH = path.resolve(__dirname, '../../../shared/plaid-openapi/2020-09-14.yml');

export interface SpecCheck {
  ok: boolean;
  /** Readable "path: message" lines; the path is a JSON pointer, "(root)" for the body itself. */
  errors: string[];
}

export interface PlaidSpec {
  /** The request body of POST <path>, e.g. '/link/token/create'. Throws if the path is not in the spec. */
  validateRequest(path: string, body: unknown): SpecCheck;
  /** A response body for POST <path> with this HTTP status: 200 uses the 200 schema; any other status uses the operation's 'default' (PlaidError) response or the matching status code if the spec declares it. */
  validateResponse(path: string, status: number, body: unknown): SpecCheck;
  /** Field names a response body carries that the spec's schema for it does not declare (recursively through objects and arrays, following $ref/allOf). Empty when every field is declared. Used to prove an emulator invents no fields. */
  undeclaredResponseFields(path: string, status: number, body: unknown): string[];
}

/** The parts of an OpenAPI 3.0 Schema Object this module reads or rewrites; other keywords pass through. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  [keyword: string]: unknown;
}

interface MediaTypes {
  content?: Record<string, { schema?: Schema }>;
}

interface Operation {
  requestBody?: MediaTypes;
  responses?: Record<string, MediaTypes>;
}

interface OpenApiDocument {
  paths: Record<string, { post?: Operation }>;
  components: { schemas: Record<string, Schema> };
}

/** The id the converted component schemas are registered under in Ajv. */
const SPEC_ID = 'plaid';
const LOCAL_REF_PREFIX = '#/components/schemas/';

let cached: { spec: PlaidSpec | undefined } | undefined;

/** The spec, parsed and cached on first use; undefined when the file is absent on this machine. */
export function loadPlaidSpec(): PlaidSpec | undefined {
  cached ??= { spec: readSpec() };
  return cached.spec;
}

function readSpec(): PlaidSpec | undefined {
  let text: string;
  try {
    text = readFileSync(PLAID_SPEC_PATH, 'utf8');
  } catch (err) {
    // Only absence means "skip"; an unreadable or broken spec should fail loudly. (No
    // `instanceof Error`: under jest, fs errors come from another realm and fail it.)
    if (isRecord(err) && err.code === 'ENOENT') return undefined;
    throw err;
  }
  // Skipping the duplicate-key check saves about a third of the parse (~0.3 s of ~1.1 s).
  return createPlaidSpec(asOpenApiDocument(parse(text, { uniqueKeys: false })));
}

function asOpenApiDocument(doc: unknown): OpenApiDocument {
  if (!isRecord(doc) || !isRecord(doc.paths) || !isRecord(doc.components) || !isRecord(doc.components.schemas)) {
    throw new Error(`${PLAID_SPEC_PATH} is not an OpenAPI document with paths and components.schemas`);
  }
  return doc as unknown as OpenApiDocument;
}

function createPlaidSpec(doc: OpenApiDocument): PlaidSpec {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);

  const convert = (schema: Schema): Schema => {
    const formats = new Set<string>();
    const converted = toJsonSchema(schema, formats);
    // The spec uses OpenAPI formats (double, float) and its own (cognito_id) that
    // ajv-formats does not know; they only annotate, so accept any value for them.
    for (const format of formats) if (!(format in ajv.formats)) ajv.addFormat(format, true);
    return converted;
  };
  const schemas = Object.fromEntries(Object.entries(doc.components.schemas).map(([name, schema]) => [name, convert(schema)]));
  ajv.addSchema({ components: { schemas } }, SPEC_ID);

  const validators = new Map<string, ValidateFunction>();
  const check = (key: string, schema: Schema, body: unknown): SpecCheck => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(convert(schema));
      validators.set(key, validate);
    }
    const ok = validate(body);
    return { ok, errors: ok ? [] : (validate.errors ?? []).map(formatError) };
  };

  const operation = (apiPath: string): Operation => {
    const op = doc.paths[apiPath]?.post;
    if (!op) throw new Error(`Plaid spec has no POST ${apiPath}`);
    return op;
  };

  const responseSchema = (apiPath: string, status: number): { key: string; schema: Schema } => {
    const responses = operation(apiPath).responses ?? {};
    const code = String(status);
    const key = code in responses || status === 200 ? code : 'default';
    const schema = responses[key]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`Plaid spec has no application/json response for POST ${apiPath} with status ${status}`);
    return { key, schema };
  };

  return {
    validateRequest(apiPath, body) {
      const schema = operation(apiPath).requestBody?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`Plaid spec has no application/json request body for POST ${apiPath}`);
      return check(`request ${apiPath}`, schema, body);
    },
    validateResponse(apiPath, status, body) {
      const { key, schema } = responseSchema(apiPath, status);
      return check(`response ${key} ${apiPath}`, schema, body);
    },
    undeclaredResponseFields(apiPath, status, body) {
      const found: string[] = [];
      collectUndeclared(body, [responseSchema(apiPath, status).schema], '', doc.components.schemas, found);
      return found;
    },
  };
}

/**
 * Rewrites an OpenAPI 3.0 schema into JSON Schema Ajv validates as OpenAPI means it:
 * - `nullable: true` becomes a "null" type (and a null enum member, which Ajv's own
 *   `nullable` support does not add); where there is no `type` (allOf wrappers) it
 *   becomes `anyOf: [null, schema]`, since Ajv rejects `nullable` without `type`.
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4 style, which Ajv rejects)
 *   become the numeric bound they qualify.
 * - local `#/components/schemas/X` refs point into the schemas registered as SPEC_ID,
 *   so any converted schema compiles on its own.
 * Formats met on the way are added to `formats`.
 */
function toJsonSchema(schema: Schema, formats: Set<string>): Schema {
  const { nullable, ...rest } = schema;
  const out: Schema = { ...rest };
  if (rest.$ref?.startsWith('#/')) out.$ref = `${SPEC_ID}${rest.$ref}`;
  if (rest.format) formats.add(rest.format);
  if (rest.properties) {
    out.properties = Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, toJsonSchema(v, formats)]));
  }
  if (typeof rest.additionalProperties === 'object') out.additionalProperties = toJsonSchema(rest.additionalProperties, formats);
  if (rest.items) out.items = toJsonSchema(rest.items, formats);
  if (rest.not) out.not = toJsonSchema(rest.not, formats);
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = rest[keyword];
    if (branches) out[keyword] = branches.map((branch) => toJsonSchema(branch, formats));
  }
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
  if (nullable !== true) return out;
  if (typeof out.type !== 'string') return { anyOf: [{ type: 'null' }, out] };
  out.type = [out.type, 'null'];
  if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  let message = error.message ?? error.keyword;
  const { allowedValues, additionalProperty } = error.params as { allowedValues?: unknown; additionalProperty?: unknown };
  if (error.keyword === 'enum' && Array.isArray(allowedValues)) {
    const shown = allowedValues.slice(0, 10).map((v) => JSON.stringify(v));
    message += `: ${shown.join(', ')}${allowedValues.length > shown.length ? ', …' : ''}`;
  }
  if (error.keyword === 'additionalProperties') message += `: ${String(additionalProperty)}`;
  return `${where}: ${message}`;
}

/**
 * Walks `value` alongside the schemas that may describe it (several when allOf/anyOf/oneOf
 * combine) and records the JSON pointer of every object key none of them declares. Keys
 * count as declared by `properties` or by an `additionalProperties` schema (a map); an
 * object whose schemas declare no properties at all is free-form and is not looked into.
 * Plaid's `additionalProperties: true` on every response declares nothing here.
 */
function collectUndeclared(
  value: unknown,
  candidates: Schema[],
  at: string,
  components: Record<string, Schema>,
  found: string[],
): void {
  const schemas = candidates.flatMap((schema) => expand(schema, components, new Set()));
  if (Array.isArray(value)) {
    const items = schemas.flatMap((schema) => (schema.items ? [schema.items] : []));
    if (items.length > 0) value.forEach((item, i) => collectUndeclared(item, items, `${at}/${i}`, components, found));
    return;
  }
  if (!isRecord(value)) return;
  const maps = schemas.flatMap((schema) => (typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []));
  if (maps.length === 0 && !schemas.some((schema) => schema.properties)) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = schemas.flatMap((schema) => {
      const property = schema.properties?.[key];
      return property ? [property] : [];
    });
    const childSchemas = declared.length > 0 ? declared : maps;
    const childAt = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (childSchemas.length === 0) found.push(childAt);
    else collectUndeclared(child, childSchemas, childAt, components, found);
  }
}

/** A schema with its $ref resolved and its allOf/anyOf/oneOf branches flattened in beside it. */
function expand(schema: Schema, components: Record<string, Schema>, seen: Set<Schema>): Schema[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (schema.$ref) {
    const target = schema.$ref.startsWith(LOCAL_REF_PREFIX) ? components[schema.$ref.slice(LOCAL_REF_PREFIX.length)] : undefined;
    if (!target) throw new Error(`Plaid spec: cannot resolve ${schema.$ref}`);
    return expand(target, components, seen);
  }
  const branches = [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  return [schema, ...branches.flatMap((branch) => expand(branch, components, seen))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
