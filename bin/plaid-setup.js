#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm install` (the package's `prepare` script) into dist/.
let main;
try {
  ({ main } = require('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('plaid-setup is not built yet: run `npm install` (or `npm run build`) in the repository first.\n');
    process.exit(1);
  }
  throw err;
}
// Exit once main is done: after a graceful stop, a client's idle keep-alive socket (Slack's
// Web API, say) must not keep the process up. Writes to pipes and files are synchronous on
// Linux and macOS, so nothing printed is lost.
main(process.argv).then((code) => process.exit(code));
