/**
 * Loaded by path (the worker bundles it into workflow code, the client requires it) when
 * payloads are encrypted: failure messages and stack traces then travel in an encoded
 * payload too, instead of in the clear beside it.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
