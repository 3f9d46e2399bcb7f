import { configJsonSchema } from '../config/schema.ts';
import type { CliIo } from './cli-io.ts';

/** `louailink config schema`: the JSON Schema of the config as written, for editors and tooling. */
export function printSchema(io: CliIo): number {
  io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
