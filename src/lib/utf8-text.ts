/**
 * The UTF-8 text of bytes [start, end) of any Uint8Array, decoded through a Buffer view of the same memory
 * (no copy; faster than a TextDecoder for whole texts).
 */
export function utf8Text(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}
