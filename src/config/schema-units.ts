/**
 * Zod building blocks for unit strings, shared by every schema module: durations ("30s") become
 * milliseconds and sizes ("10mb") bytes at load, and defaults are given as written so the JSON Schema
 * and docs/config.md show "5s", not 5000.
 */
import { z } from 'zod';
import { parseDurationMs, parseSizeBytes } from './units.ts';

/** A duration string with a default, normalized to milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .refine((v) => parseDurationMs(v) !== undefined, { message: 'expected a duration such as "500ms", "30s", "5m", "1h"' })
    .transform((v) => parseDurationMs(v) ?? 0)
    .prefault(fallback);

const sizeText = z.union([z.number().int().nonnegative(), z.string()]).refine((v) => parseSizeBytes(v) !== undefined, {
  message: 'expected a size such as "64kb", "10mb", "1gb" or a number of bytes',
});

/** A size string (or a number of bytes), normalized to bytes. */
export const size = () => sizeText.transform((v) => parseSizeBytes(v) ?? 0);

/** A size with a default. */
export const sizeWithDefault = (fallback: string) => size().prefault(fallback);
