// The bare baseline: a workflow of the same shape as a setup at rest (an update handler,
// a query, waiting for a condition), with nothing else in its bundle.
const { condition, defineQuery, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } = require('@temporalio/workflow');

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

// The bare baseline for a whole journey: one no-op update per action, and after the n-th
// update activitiesAfter[n - 1] no-op activities, run one by one by the main loop as a
// setup's checks are. With upsertsAfter (and upsertsAtStart), it also writes a search
// attribute as often as a setup indexes its step, to tell that cost apart.
const step = defineUpdate('step');
const { noopActivity } = proxyActivities({ startToCloseTimeout: '1 minute' });

async function bareJourneyWorkflow({ activitiesAfter, upsertsAfter, upsertsAtStart = 0 }) {
  let received = 0;
  let ran = 0;
  let written = 0;
  const write = (times) => {
    for (let n = 0; n < times; n++) upsertSearchAttributes({ PlaidSetupStep: [`step-${++written}`] });
  };
  setHandler(step, () => (received += 1), { validator: () => undefined });
  setHandler(state, () => ({ received, ran }));
  write(upsertsAtStart);
  for (let handled = 1; handled <= activitiesAfter.length; handled++) {
    await condition(() => received >= handled);
    write(upsertsAfter ? upsertsAfter[handled - 1] : 0);
    for (let n = 0; n < activitiesAfter[handled - 1]; n++) {
      await noopActivity();
      ran += 1;
    }
  }
  return ran;
}

module.exports = { bareWorkflow, bareUpdateWorkflow, bareJourneyWorkflow };
