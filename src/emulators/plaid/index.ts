/** The Plaid API emulator's public API. */
export { PlaidEmulator, type PlaidEmulatorOptions } from './emulator';
export { demoClient } from './registry';
export type { EmulatedClient, EmulatedItem, Fault, FaultRate, PlaidFlavour, RecordedRequest } from './types';
