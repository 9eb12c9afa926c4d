/**
 * The one data converter the client, the worker and the audit export share: AES-GCM
 * payloads and encoded failure attributes when PLAID_SETUP_PAYLOAD_KEY is set, Temporal's
 * defaults otherwise.
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { Config } from '../../config';
import { AesGcmPayloadCodec } from './payload-codec';

export const ENCODING_FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function payloadCodecsFor(config: Config): PayloadCodec[] {
  return config.payloadKeys ? [new AesGcmPayloadCodec(config.payloadKeys)] : [];
}

export function dataConverterFor(config: Config): DataConverter {
  const payloadCodecs = payloadCodecsFor(config);
  return payloadCodecs.length > 0 ? { payloadCodecs, failureConverterPath: ENCODING_FAILURE_CONVERTER_PATH } : {};
}
