import { processIo } from './cli-io.ts';
import { createProgram } from './program.ts';

let exitCode = 0;
await createProgram(processIo, (code) => {
  exitCode = code;
}).parseAsync(process.argv);
// Output to files and pipes is synchronous on POSIX, so nothing is lost; after a graceful close nothing
// left open (a stray timer, a keep-alive socket) may keep the process alive.
process.exit(exitCode);
