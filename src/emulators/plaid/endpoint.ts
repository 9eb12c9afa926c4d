/**
 * What an emulated endpoint is: a path, its request schema and a handler. Every endpoint
 * answers the same way: validate the body (validation.ts), authenticate the caller for
 * this flavour (registry.ts), then handle. The handler's answer gets its request_id from
 * the server.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ItemStore } from './items';
import type { EmulatedClient, PlaidFlavour } from './types';
import { type Credentials, type JsonObject, type RequestCheck, validateRequest } from './validation';

export interface EndpointContext {
  flavour: PlaidFlavour;
  client: EmulatedClient;
  items: ItemStore;
  now: Date;
}

export interface EndpointDeps {
  items: ItemStore;
  authenticate(flavour: PlaidFlavour, credentials: Credentials): EmulatedClient;
}

export interface Endpoint {
  readonly path: string;
  /** The success body (without request_id); throws PlaidApiError for a refusal. */
  answer(flavour: PlaidFlavour, body: JsonObject, headers: IncomingHttpHeaders, deps: EndpointDeps): object;
}

export function defineEndpoint<T>(definition: RequestCheck<T> & { path: string; handle(input: T, context: EndpointContext): object }): Endpoint {
  return {
    path: definition.path,
    answer(flavour, body, headers, deps) {
      const { input, credentials } = validateRequest(definition, body, headers);
      const client = deps.authenticate(flavour, credentials);
      return definition.handle(input, { flavour, client, items: deps.items, now: new Date() });
    },
  };
}
