/**
 * How big the fault matrix runs (issue 14, item 2): `reduced` inside `npm test` (CI), `full`
 * with `npm run faults` (FAULT_SCALE=full). Each case picks its sizes from this one switch.
 */
const SCALES = ['reduced', 'full'] as const;
export type FaultScale = (typeof SCALES)[number];

function readScale(value: string | undefined): FaultScale {
  if (value === undefined || value === '') return 'reduced';
  if ((SCALES as readonly string[]).includes(value)) return value as FaultScale;
  throw new Error(`FAULT_SCALE must be one of ${SCALES.join(', ')}; unset means reduced.`);
}

export const FAULT_SCALE: FaultScale = readScale(process.env.FAULT_SCALE);

/** The reduced size in `npm test`, the full one on demand. */
export function sized<T>(reduced: T, full: T): T {
  return FAULT_SCALE === 'full' ? full : reduced;
}

/** One line of a case's report: what it did and what survived, printed whatever the scale. */
export function report(fault: string, line: string): void {
  process.stdout.write(`[fault matrix, ${FAULT_SCALE}] ${fault}: ${line}\n`);
}
