/**
 * WebSocket framing for the server side (RFC 6455 §5.2): frames from a client are masked and
 * are refused otherwise ("a client MUST mask all frames that it sends to the server", §5.1);
 * frames to it are not masked; control frames carry at most 125 bytes and are not fragmented
 * (§5.5); reserved bits and opcodes fail the connection unless an extension defines them (none
 * is negotiated here). A frame larger than the receiver takes fails it with 1009 (§7.4.1).
 */

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes (RFC 6455 §7.4.1). */
export const CLOSE_CODE = { normal: 1000, goingAway: 1001, protocolError: 1002, invalidPayload: 1007, tooBig: 1009 } as const;

const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(OPCODE));
const MAX_CONTROL_PAYLOAD = 125;

export interface Frame {
  fin: boolean;
  opcode: number;
  /** Unmasked. */
  payload: Buffer;
}

/** A frame the connection must fail on, with the close code to send. */
export class FrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** One unmasked frame with FIN set: the server never fragments what it sends. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length <= 0xffff ? Buffer.alloc(4) : Buffer.alloc(10);
  header.writeUInt8(0x80 | opcode, 0);
  if (length < 126) {
    header.writeUInt8(length, 1);
  } else if (length <= 0xffff) {
    header.writeUInt8(126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A close frame's body: the status code, then a UTF-8 reason (§5.5.1); empty when there is no code. */
export function closePayload(code: number | undefined, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code, 0);
  return Buffer.concat([body, Buffer.from(reason, 'utf8').subarray(0, MAX_CONTROL_PAYLOAD - 2)]);
}

/** The status code of a received close frame, if it has one. */
export const closeCode = (payload: Buffer): number | undefined => (payload.length >= 2 ? payload.readUInt16BE(0) : undefined);

function unmask(masked: Buffer, key: Buffer): Buffer {
  const out = Buffer.alloc(masked.length);
  for (let i = 0; i < masked.length; i += 1) out.writeUInt8(masked.readUInt8(i) ^ key.readUInt8(i % 4), i);
  return out;
}

/** Reads frames from a client's byte stream as it arrives, in whatever chunks. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload: number) {}

  /** The frames the bytes so far complete; throws FrameError on a frame the connection must fail on. */
  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  private next(): Frame | undefined {
    const bytes = this.buffered;
    if (bytes.length < 2) return undefined;
    const first = bytes.readUInt8(0);
    const second = bytes.readUInt8(1);
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    if ((first & 0x70) !== 0) throw new FrameError(CLOSE_CODE.protocolError, 'reserved bits set with no extension negotiated');
    if (!KNOWN_OPCODES.has(opcode)) throw new FrameError(CLOSE_CODE.protocolError, `unknown opcode ${opcode}`);
    if ((second & 0x80) === 0) throw new FrameError(CLOSE_CODE.protocolError, 'a client frame must be masked');

    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = bytes.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      const long = bytes.readBigUInt64BE(2);
      if (long > BigInt(this.maxPayload)) throw new FrameError(CLOSE_CODE.tooBig, `a frame of ${long} bytes`);
      length = Number(long);
      offset = 10;
    }
    if (length > this.maxPayload) throw new FrameError(CLOSE_CODE.tooBig, `a frame of ${length} bytes`);
    if (opcode >= OPCODE.close && (!fin || length > MAX_CONTROL_PAYLOAD)) throw new FrameError(CLOSE_CODE.protocolError, 'a fragmented or oversized control frame');

    const end = offset + 4 + length;
    if (bytes.length < end) return undefined;
    const payload = unmask(bytes.subarray(offset + 4, end), bytes.subarray(offset, offset + 4));
    this.buffered = bytes.subarray(end);
    return { fin, opcode, payload };
  }
}
