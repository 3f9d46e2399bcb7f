/**
 * Durations ("500ms", "30s", "5m", "1h", "2d") and sizes ("512", "64kb", "10mb", "1gb") as config strings,
 * normalized to milliseconds and bytes at load time. Sizes are binary (1kb = 1024 bytes), as in nginx.
 */

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/i;
const SIZE_UNIT_BYTES = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 } as const;

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (match === null) return undefined;
  const unit = match[2] as keyof typeof DURATION_UNIT_MS;
  return Math.round(Number(match[1]) * DURATION_UNIT_MS[unit]);
}

/** Returns bytes, or undefined when the text is not a size. A bare number is bytes. */
export function parseSizeBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : undefined;
  const match = SIZE_RE.exec(text.trim());
  if (match === null) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase() as keyof typeof SIZE_UNIT_BYTES;
  return Math.round(Number(match[1]) * SIZE_UNIT_BYTES[unit]);
}
