// The bare baseline: a workflow of the same shape as a setup at rest (an update handler,
// a query, waiting for a condition), with nothing else in its bundle.
const { condition, defineQuery, defineUpdate, setHandler } = require('@temporalio/workflow');

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

module.exports = { bareWorkflow, bareUpdateWorkflow };
