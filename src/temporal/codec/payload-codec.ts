/**
 * Payload encryption for Temporal (defence in depth: history already holds only secret
 * references and fingerprints). Every payload the client and worker send is wrapped in
 * AES-256-GCM under PLAID_SETUP_PAYLOAD_KEY; payloads under PLAID_SETUP_PREVIOUS_PAYLOAD_KEY
 * still open, so the key can be rotated without losing old histories. Payloads that were
 * never encrypted (written before the key was set) pass through unchanged.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ERROR_CODES, PlaidSetupError } from '../../errors';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds ciphertext to this use, so a vault row's ciphertext cannot pose as a payload.
const ASSOCIATED = Buffer.from('plaid-setup/payload/v1', 'utf8');

export interface PayloadKeys {
  current: Buffer;
  previous?: Buffer;
}

/** A public name for a key: enough to tell which key wrote a payload, useless for reading it. */
export function payloadKeyId(key: Buffer): string {
  return createHash('sha256').update('plaid-setup payload key|').update(key).digest('hex').slice(0, 16);
}

const text = (v: Uint8Array | null | undefined): string | undefined => (v ? Buffer.from(v).toString('utf8') : undefined);

function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(keys: PayloadKeys) {
    for (const key of [keys.current, keys.previous]) {
      if (key && key.length !== 32) {
        throw new PlaidSetupError(ERROR_CODES.PAYLOAD_KEY_INVALID, 'The payload key must be 32 bytes (base64: `openssl rand -base64 32`).');
      }
      if (key) this.keys.set(payloadKeyId(key), key);
    }
    this.currentId = payloadKeyId(keys.current);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentId) as Buffer;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(ASSOCIATED);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          'encryption-cipher': Buffer.from(CIPHER),
          'encryption-key-id': Buffer.from(this.currentId),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.open(payload) : payload));
  }

  private open(payload: Payload): Payload {
    const id = text(payload.metadata?.['encryption-key-id']) ?? '';
    const key = this.keys.get(id);
    if (!key) {
      throw new PlaidSetupError(
        ERROR_CODES.PAYLOAD_KEY_UNKNOWN,
        `A Temporal payload was encrypted with payload key ${id || '(unnamed)'}, which is neither PLAID_SETUP_PAYLOAD_KEY nor PLAID_SETUP_PREVIOUS_PAYLOAD_KEY; set the key it was written with.`,
      );
    }
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(ASSOCIATED);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new PlaidSetupError(
        ERROR_CODES.PAYLOAD_DECRYPT_FAILED,
        `A Temporal payload under key ${id} failed its integrity check: it was altered or corrupted.`,
      );
    }
  }
}
