/**
 * Faults and latency a test arranges: a fault is used up by the requests it hits, in the
 * order it was injected; latency stays until cleared. A flavour-specific setting applies
 * to that flavour only; one without a flavour applies to both.
 */
import type { Fault, PlaidFlavour } from './types';

interface InjectedFault {
  path: string;
  flavour?: PlaidFlavour;
  fault: Fault;
  remaining: number;
}

const applies = (entry: { path: string; flavour?: PlaidFlavour }, path: string, flavour: PlaidFlavour): boolean =>
  entry.path === path && (entry.flavour === undefined || entry.flavour === flavour);

export class FaultPlan {
  private faults: InjectedFault[] = [];
  private latencies: { path: string; flavour?: PlaidFlavour; ms: number }[] = [];

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

  clear(): void {
    this.faults = [];
    this.latencies = [];
  }

  /** The fault this request gets, using up one of its times; undefined when none applies. */
  take(path: string, flavour: PlaidFlavour): Fault | undefined {
    const entry = this.faults.find((f) => applies(f, path, flavour));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }

  /** The delay before this request is answered: a flavour-specific setting wins. */
  latency(path: string, flavour: PlaidFlavour): number {
    const matching = this.latencies.filter((l) => applies(l, path, flavour));
    return (matching.find((l) => l.flavour === flavour) ?? matching[0])?.ms ?? 0;
  }
}
