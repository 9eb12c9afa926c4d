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
main(process.argv).then((code) => {
  process.exitCode = code;
});
