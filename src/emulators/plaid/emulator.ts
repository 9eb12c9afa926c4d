/**
 * A loopback Plaid API for tests and demos: a Sandbox server and a Production server on
 * their own ports, sharing the registered clients and the Items created through them.
 */
import type { Server } from 'node:http';
import { closeServer, listen } from '../../http/listen';
import { FaultPlan } from './faults';
import { ItemStore } from './items';
import { ClientRegistry } from './registry';
import { createFlavourServer, RequestLog, type ServerDeps } from './server';
import { type EmulatedClient, type EmulatedItem, type Fault, type FaultRate, FLAVOURS, type PlaidFlavour, type RecordedRequest } from './types';

export interface PlaidEmulatorOptions {
  clients?: EmulatedClient[];
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** How many /transactions/sync calls a new Item answers NOT_READY before its transactions; default 1. */
  transactionsNotReadyPolls?: number;
  /** Fixed ports; 0 (the default) picks free ones. */
  ports?: Partial<Record<PlaidFlavour, number>>;
}


const baseUrl = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

export class PlaidEmulator {
  readonly sandboxUrl: string;
  readonly productionUrl: string;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly servers: Record<PlaidFlavour, Server>,
    private readonly deps: ServerDeps,
    private readonly shutdown: AbortController,
    urls: Record<PlaidFlavour, string>,
  ) {
    this.sandboxUrl = urls.sandbox;
    this.productionUrl = urls.production;
  }

  static async start(options: PlaidEmulatorOptions = {}): Promise<PlaidEmulator> {
    const notReadyPolls = options.transactionsNotReadyPolls ?? 1;
    if (!Number.isInteger(notReadyPolls) || notReadyPolls < 0) {
      throw new RangeError(`Plaid emulator: transactionsNotReadyPolls must be a non-negative integer, not ${notReadyPolls}`);
    }
    const registry = new ClientRegistry();
    for (const client of options.clients ?? []) registry.add(client);

    const shutdown = new AbortController();
    const deps: ServerDeps = {
      registry,
      items: new ItemStore(notReadyPolls),
      faults: new FaultPlan(),
      log: new RequestLog(),
      closing: shutdown.signal,
    };
    const host = options.host ?? '127.0.0.1';
    const servers = { sandbox: createFlavourServer('sandbox', deps), production: createFlavourServer('production', deps) };
    const urls = { sandbox: '', production: '' };
    try {
      for (const flavour of FLAVOURS) urls[flavour] = baseUrl(host, (await listen(servers[flavour], options.ports?.[flavour] ?? 0, host)).port);
    } catch (error) {
      await Promise.all(FLAVOURS.filter((f) => servers[f].listening).map((f) => closeServer(servers[f])));
      throw error;
    }
    return new PlaidEmulator(servers, deps, shutdown, urls);
  }

  addClient(client: EmulatedClient): void {
    this.deps.registry.add(client);
  }

  /** A copy of the client as registered; undefined when unknown. */
  client(clientId: string): EmulatedClient | undefined {
    return this.deps.registry.find(clientId);
  }

  updateClient(clientId: string, patch: Partial<Omit<EmulatedClient, 'clientId'>>): void {
    this.deps.registry.update(clientId, patch);
  }

  /** The next `times` (default 1) requests to `path` (in that flavour, or both when omitted) get the fault. */
  inject(path: string, fault: Fault, options: { times?: number; flavour?: PlaidFlavour } = {}): void {
    this.deps.faults.inject(path, fault, options);
  }

  /** Adds latency to every request to `path` until cleared (ms). */
  setLatency(path: string, ms: number, options: { flavour?: PlaidFlavour } = {}): void {
    this.deps.faults.setLatency(path, ms, options);
  }

  /** Faults `rate` of all later requests at random, from `faults`; an injected fault that applies wins. Replaces an earlier rate. */
  setFaultRate(rate: FaultRate): void {
    this.deps.faults.setRate(rate);
  }

  /** How many requests got each kind of fault (429, 500, 503, timeout, reset), injected or drawn, since clearFaults(). */
  faultsInjected(): Record<string, number> {
    return this.deps.faults.injected();
  }

  /** Forgets every injected fault, the fault rate, latency and the fault counts. */
  clearFaults(): void {
    this.deps.faults.clear();
  }

  /** Every request received, in arrival order; secrets are never kept. */
  get requests(): readonly RecordedRequest[] {
    return this.deps.log.all;
  }

  items(): EmulatedItem[] {
    return this.deps.items.list();
  }

  /** Items created and never removed (the count a leak test asserts is 0). */
  unremovedItems(): EmulatedItem[] {
    return this.items().filter((item) => item.removedAt === undefined);
  }

  /** Closes both servers; requests held by timeout faults or waiting on latency are dropped. Calling it again is harmless. */
  close(): Promise<void> {
    if (!this.closed) {
      this.shutdown.abort();
      this.closed = Promise.all(FLAVOURS.map((flavour) => closeServer(this.servers[flavour]))).then(() => undefined);
    }
    return this.closed;
  }
}
