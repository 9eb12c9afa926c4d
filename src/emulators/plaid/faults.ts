/**
 * Faults and latency a test arranges: a fault is used up by the requests it hits, in the
 * order it was injected; latency stays until cleared. A flavour-specific setting applies
 * to that flavour only; one without a flavour applies to both. A fault rate faults a share
 * of every request at random, from a seeded generator so a run can be repeated; an
 * injected fault that applies wins over it.
 */
import type { Fault, FaultRate, PlaidFlavour } from './types';

interface InjectedFault {
  path: string;
  flavour?: PlaidFlavour;
  fault: Fault;
  remaining: number;
}

/** mulberry32: tiny, fast and good enough to spread faults; the same seed gives the same draws. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How a fault is counted: its status (429, 500, 503), timeout or reset. */
const faultKind = (fault: Fault): string => (fault.kind === 'status' ? String(fault.status) : fault.kind);

const applies = (entry: { path: string; flavour?: PlaidFlavour }, path: string, flavour: PlaidFlavour): boolean =>
  entry.path === path && (entry.flavour === undefined || entry.flavour === flavour);

export class FaultPlan {
  private faults: InjectedFault[] = [];
  private latencies: { path: string; flavour?: PlaidFlavour; ms: number }[] = [];
  private random: { rate: number; faults: Fault[]; next: () => number } | undefined;
  private counts = new Map<string, number>();

  inject(path: string, fault: Fault, options: { times?: number; flavour?: PlaidFlavour } = {}): void {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`Plaid emulator: times must be a positive integer, not ${times}`);
    this.faults.push({ path, fault, remaining: times, ...(options.flavour ? { flavour: options.flavour } : {}) });
  }

  setLatency(path: string, ms: number, options: { flavour?: PlaidFlavour } = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Plaid emulator: latency must be a non-negative number of ms, not ${ms}`);
    // A new setting replaces the one for the same path and flavour.
    this.latencies = this.latencies.filter((l) => l.path !== path || l.flavour !== options.flavour);
    this.latencies.push({ path, ms, ...(options.flavour ? { flavour: options.flavour } : {}) });
  }

  setRate({ rate, faults, seed }: FaultRate): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Plaid emulator: a fault rate must be from 0 to 1, not ${rate}`);
    if (faults.length === 0) throw new RangeError('Plaid emulator: a fault rate needs at least one fault to choose from');
    if (!Number.isInteger(seed)) throw new RangeError(`Plaid emulator: a fault rate's seed must be an integer, not ${seed}`);
    this.random = { rate, faults: [...faults], next: seededRandom(seed) };
  }

  clear(): void {
    this.faults = [];
    this.latencies = [];
    this.random = undefined;
    this.counts.clear();
  }

  /** The fault this request gets, using up one of its times, else drawn at the rate; undefined when none applies. */
  take(path: string, flavour: PlaidFlavour): Fault | undefined {
    const fault = this.takeInjected(path, flavour) ?? this.draw();
    if (fault) this.counts.set(faultKind(fault), (this.counts.get(faultKind(fault)) ?? 0) + 1);
    return fault;
  }

  /** How many requests got each kind of fault since the last clear(). */
  injected(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  private takeInjected(path: string, flavour: PlaidFlavour): Fault | undefined {
    const entry = this.faults.find((f) => applies(f, path, flavour));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }

  private draw(): Fault | undefined {
    if (!this.random || this.random.next() >= this.random.rate) return undefined;
    const { faults, next } = this.random;
    return faults[Math.floor(next() * faults.length)];
  }

  /** The delay before this request is answered: a flavour-specific setting wins. */
  latency(path: string, flavour: PlaidFlavour): number {
    const matching = this.latencies.filter((l) => applies(l, path, flavour));
    return (matching.find((l) => l.flavour === flavour) ?? matching[0])?.ms ?? 0;
  }
}
