// The bare baseline: a workflow of the same shape as a setup at rest (an update handler,
// a query, waiting for a condition), with nothing else in its bundle.
const { condition, defineQuery, defineUpdate, proxyActivities, setHandler } = require('@temporalio/workflow');

const done = defineUpdate('done');
const state = defineQuery('state');

async function bareWorkflow() {
  let finished = false;
  setHandler(done, () => {
    finished = true;
  });
  setHandler(state, () => ({ finished }));
  await condition(() => finished);
}

// The bare baseline for an update round trip: an update with a validator that changes a
// little state, as a setup's action does, and nothing else.
const noop = defineUpdate('noop');

async function bareUpdateWorkflow() {
  let version = 0;
  setHandler(
    noop,
    () => {
      version += 1;
      return { version };
    },
    { validator: () => undefined },
  );
  setHandler(state, () => ({ version }));
  await condition(() => false);
}

// The bare baseline for a whole journey: `updates` no-op updates, and after each its share
// of `activities` no-op activities, run by the main loop as a setup's checks are.
const step = defineUpdate('step');
const { noopActivity } = proxyActivities({ startToCloseTimeout: '1 minute' });

async function bareJourneyWorkflow(shape) {
  let received = 0;
  let ran = 0;
  setHandler(step, () => (received += 1), { validator: () => undefined });
  setHandler(state, () => ({ received, ran }));
  for (let handled = 1; handled <= shape.updates; handled++) {
    await condition(() => received >= handled);
    const target = Math.round((handled * shape.activities) / shape.updates);
    while (ran < target) {
      await noopActivity();
      ran += 1;
    }
  }
  return ran;
}

module.exports = { bareWorkflow, bareUpdateWorkflow, bareJourneyWorkflow };
