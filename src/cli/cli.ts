// The command tree run as the `segmentation` executable (main.ts): errors become one line and an exit code.
import { CommanderError } from 'commander';
import { InputError } from './input.js';
import { buildProgram } from './program.js';

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    // Input problems are one line for the user; anything else is a bug and keeps its stack with DEBUG set.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${err instanceof InputError ? message : message.split('\n')[0]}\n`);
    if (!(err instanceof InputError) && process.env.DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  }
}

