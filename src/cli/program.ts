import { Command } from 'commander';
import { registerConfigCommand } from './config.js';
import { registerDataCommand } from './data.js';
import { registerDataPrepCommands } from './data-prep.js';
import { registerDoctorCommand } from './doctor.js';
import { registerEvalCommand } from './eval.js';
import { registerEvalReportCommand } from './eval-report.js';
import { registerExperimentCommand } from './experiment.js';
import { registerLlmCommand } from './llm.js';
import { registerTextCommand } from './text.js';
import { registerTrainCommand } from './train.js';
import { VERSION } from '../util/version.js';

/** The whole CLI: one commander tree, each noun registered by its own file. */
export function buildProgram(): Command {
  const program = new Command('lmmrec')
    .description('LLM-driven, motivation-aware recommendation: data, LLM extraction, training, evaluation')
    .version(VERSION)
    .showHelpAfterError()
    // `eval` has both its own options and verbs with options of the same name (--json): a verb's options
    // must belong to the verb, so options are read positionally.
    .enablePositionalOptions()
    .exitOverride();
  registerDataPrepCommands(registerDataCommand(program));
  registerLlmCommand(program);
  registerTextCommand(program);
  registerTrainCommand(program);
  registerEvalReportCommand(program);
  registerEvalCommand(program);
  registerExperimentCommand(program);
  registerConfigCommand(program);
  registerDoctorCommand(program);
  return program;
}
