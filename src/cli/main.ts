#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { LmmrecError } from '../util/errors.js';

/** Exit codes: one place maps error kinds to statuses, so scripts can tell bad input from a crash. */
const EXIT: Record<string, number> = { USAGE: 2, CONFIG: 3, DATA: 4, STORE: 5, LLM: 6, NUMERIC: 7, ABORTED: 130, INTERNAL: 70 };


async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.USAGE;
    if (e instanceof LmmrecError) {
      console.error(`lmmrec: ${e.message}`);
      return EXIT[e.code] ?? 1;
    }
    console.error(e);
    return EXIT.INTERNAL;
  }
}

process.exitCode = await main(process.argv);
