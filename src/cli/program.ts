// Builds the `segmentation` command tree. Each subcommand lives in src/cli/commands/.
import { Command } from 'commander';
import { registerAnalysisCommands } from './commands/analysis.js';
import { registerConsoleCommand } from './commands/console.js';
import { registerRenderCommands } from './commands/render.js';
import { registerRunCommand } from './commands/run.js';

export function buildProgram(): Command {
  const program = new Command('segmentation')
    .description('Keep every namespace segmented: default deny, instance-metadata blocking, DNS and label-based allows')
    .version('0.1.0')
    .showHelpAfterError();
  registerRenderCommands(program);
  registerAnalysisCommands(program);
  registerRunCommand(program);
  registerConsoleCommand(program);
  return program;
}
