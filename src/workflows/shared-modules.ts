/**
 * The modules every workflow shares. A reusable V8 context still evaluates a bundle's
 * modules once per workflow, so each open setup paid for its own copy of zod and of every
 * schema (about 1.1 MB each). Listed in the bundler's preloadModules, this file and what it
 * imports are evaluated once per context, before any workflow runs, and deep-frozen: a
 * module here may keep no per-workflow state (a write would throw), and may not import
 * @temporalio/workflow, whose calls need a running workflow.
 */
import '../shared/schemas';
import '../shared/actions';
import '../domain/checklist';
import '../domain/headline';
import './worker-policy';
