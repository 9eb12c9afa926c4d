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

module.exports = { bareWorkflow };
