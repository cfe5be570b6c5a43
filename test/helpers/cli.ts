import { buildProgram } from '../../src/cli/program.js';

/**
 * Run `lmmrec <args>` in-process on the real command tree and return what it printed with console.log
 * (and console.error too with `withStderr`; otherwise stderr, e.g. progress lines, is dropped).
 * Commander's own error output is silenced; errors are thrown to the test; process.exitCode is restored.
 */
export async function runCli(args: string[], opts: { withStderr?: boolean } = {}): Promise<string> {
  const program = buildProgram();
  const silence = (c: typeof program): void => {
    c.exitOverride().configureOutput({ writeErr: () => {} });
    c.commands.forEach(silence);
  };
  silence(program);
  const lines: string[] = [];
  const { log, error } = console;
  const code = process.exitCode;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = opts.withStderr ? console.log : () => {};
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = code;
  }
  return lines.join('\n');
}
