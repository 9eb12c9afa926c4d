export { plaidSetupWorkflow, type SetupInput } from './plaid-setup';
export { driftWatchWorkflow } from './drift-watch';
