export { plaidSetupWorkflow, type SetupInput } from './plaid-setup';
