#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { LmmrecError } from '../util/errors.js';
import { registerConfigCommand } from './config.js';
import { dataCommand, registerDataCommand } from './data.js';
import { registerDataPrepCommands } from './data-prep.js';
import { registerDoctorCommand } from './doctor.js';
import { registerEvalCommand } from './eval.js';
import { registerEvalReportCommand } from './eval-report.js';
import { registerLlmCommand } from './llm.js';
import { registerTextCommand } from './text.js';
import { registerTrainCommand } from './train.js';
import { VERSION } from '../util/version.js';

/** Exit codes: one place maps error kinds to statuses, so scripts can tell bad input from a crash. */
const EXIT: Record<string, number> = { USAGE: 2, CONFIG: 3, DATA: 4, STORE: 5, LLM: 6, NUMERIC: 7, ABORTED: 130, INTERNAL: 70 };

export function buildProgram(): Command {
  const program = new Command('lmmrec')
    .description('LLM-driven, motivation-aware recommendation: data, LLM extraction, training, evaluation')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerDataCommand(program);
  registerDataPrepCommands(dataCommand());
  registerLlmCommand(program);
  registerTextCommand(program);
  registerTrainCommand(program);
  registerEvalReportCommand(program);
  registerEvalCommand(program);
  registerConfigCommand(program);
  registerDoctorCommand(program);
  return program;
}

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
