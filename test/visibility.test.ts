import { setupsQuery } from '../src/shared/visibility';

test('the setups query is built from its filter only', () => {
  expect(setupsQuery({})).toBe("WorkflowType = 'plaidSetupWorkflow'");
  expect(setupsQuery({ setupId: 'acme', running: true, step: 'settings', enabled: false })).toBe(
    "WorkflowType = 'plaidSetupWorkflow' AND WorkflowId = 'plaid-setup/acme' AND ExecutionStatus = 'Running' AND PlaidSetupStep = 'settings' AND PlaidSetupEnabled = false",
  );
});

test.each([["acme' OR WorkflowType != '"], ['Acme'], ['-acme'], ['a'.repeat(49)]])('a setup id outside the slug alphabet is refused, never quoted: %s', (setupId) => {
  expect(() => setupsQuery({ setupId })).toThrow(/Invalid setup id/);
});

test('a step filter outside the keyword alphabet is refused', () => {
  expect(() => setupsQuery({ step: "x' OR 1=1" })).toThrow(/Invalid filter value/);
});
