/**
 * @file The protobuf wire format, as much of it as ONNX files need: varints, a field iterator over any byte source
 * (a small read window over a file, or bytes in memory), and the encoders for writing a length-delimited or varint
 * field back. The structural scan (onnx-file-scan.ts) and the MatMulNBits accuracy rewrite
 * (matmul-nbits-accuracy.ts) both read through it.
 */

/** Random access to the bytes of a message. */
export interface ByteSource {
  byte(position: number): number;
  bytes(position: number, length: number): Uint8Array;
}

/** Bytes held in memory as a ByteSource (views, no copies). */
export function memorySource(data: Uint8Array): ByteSource {
  return {
    byte: (position) => data[position]!,
    bytes: (position, length) => data.subarray(position, position + length),
  };
}

/** Malformed wire data; callers turn it into a typed error naming the file. */
export class WireFormatError extends Error {}

/** One field of a message. */
export interface WireField {
  readonly number: number;
  readonly wireType: number;
  /** Where the field's tag starts. */
  readonly tagStart: number;
  /** For length-delimited fields: payload start and end. For others: the value's start and end. */
  readonly start: number;
  readonly end: number;
}

/** Reads the varint at `position` (before `limit`). Values above 2^53 lose precision, which no length reaches. */
export function readVarint(source: ByteSource, position: number, limit: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let index = 0; index < 10; index++) {
    if (position >= limit) throw new WireFormatError('truncated varint');
    const byte = source.byte(position++);
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: position };
    scale *= 128;
  }
  throw new WireFormatError('varint longer than 10 bytes');
}

/** Iterates the fields of the message occupying `[start, end)`. */
export function* wireFields(source: ByteSource, start: number, end: number): Generator<WireField> {
  let position = start;
  while (position < end) {
    const tagStart = position;
    const tag = readVarint(source, position, end);
    position = tag.next;
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (number === 0) throw new WireFormatError('field number 0');
    switch (wireType) {
      case 0: {
        const value = readVarint(source, position, end);
        yield { number, wireType, tagStart, start: position, end: value.next };
        position = value.next;
        break;
      }
      case 1:
        position += 8;
        if (position > end) throw new WireFormatError('truncated fixed64');
        yield { number, wireType, tagStart, start: position - 8, end: position };
        break;
      case 5:
        position += 4;
        if (position > end) throw new WireFormatError('truncated fixed32');
        yield { number, wireType, tagStart, start: position - 4, end: position };
        break;
      case 2: {
        const length = readVarint(source, position, end);
        const payloadEnd = length.next + length.value;
        if (payloadEnd > end) throw new WireFormatError(`field ${number} runs past the end of its message`);
        yield { number, wireType, tagStart, start: length.next, end: payloadEnd };
        position = payloadEnd;
        break;
      }
      default:
        throw new WireFormatError(`invalid wire type ${wireType}`);
    }
  }
  if (position !== end) throw new WireFormatError('message overruns its length');
}

/** The field's payload as UTF-8 text. */
export function fieldText(source: ByteSource, field: WireField): string {
  return Buffer.from(source.bytes(field.start, field.end - field.start)).toString('utf8');
}

/** The varint encoding of a non-negative integer. */
export function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A length-delimited field: tag, payload length, then the payload parts in order. */
export function lengthDelimitedField(number: number, parts: readonly Uint8Array[]): Uint8Array[] {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return [encodeVarint(number * 8 + 2), encodeVarint(length), ...parts];
}

/** A varint field: tag and value. */
export function varintField(number: number, value: number): Uint8Array[] {
  return [encodeVarint(number * 8), encodeVarint(value)];
}
