// The bare baseline with zod imported and one schema built: what zod alone costs each
// open workflow (the workflow sandbox evaluates the bundle's modules per workflow).
const { condition, defineQuery, defineUpdate, setHandler } = require('@temporalio/workflow');
const { z } = require('zod');

const Done = z.object({ by: z.string().min(1) }).optional();
const done = defineUpdate('done');
const state = defineQuery('state');

async function bareWorkflow() {
  let finished = false;
  setHandler(done, (arg) => {
    Done.parse(arg);
    finished = true;
  });
  setHandler(state, () => ({ finished }));
  await condition(() => finished);
}

module.exports = { bareWorkflow };
