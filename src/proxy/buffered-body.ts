/**
 * A request body a plugin has already read (to check its JSON parameters) and that the proxy must send
 * upstream instead of the consumed request stream. Kept by request in a WeakMap; until a plugin first
 * buffers a body in this process, the proxy skips the lookup with one boolean check.
 */

const bodies = new WeakMap<object, Buffer>();
let isInUse = false;

/** The proxy sends `body` for `req` (the request stream has been read). */
export function setBufferedBody(req: object, body: Buffer): void {
  isInUse = true;
  bodies.set(req, body);
}

/** The body a plugin read for `req`, once; undefined when the request stream is still unread. */
export function takeBufferedBody(req: object): Buffer | undefined {
  if (!isInUse) return undefined;
  const body = bodies.get(req);
  if (body !== undefined) bodies.delete(req);
  return body;
}
