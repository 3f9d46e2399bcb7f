/**
 * Equal strings, compared in constant time once the lengths match: every char is compared, whatever
 * differs first. For digests held as latin1 strings (one char per byte) and for secrets a client presented.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
