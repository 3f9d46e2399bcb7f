import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of the merged document after interpolation. Key order is kept as written (files are read in
 * sorted order), so two loads of the same files hash the same and a reload with this hash is a no-op.
 */
export function hashConfigDocument(document: unknown): string {
  return createHash('sha256').update(JSON.stringify(document) ?? 'null').digest('hex');
}
