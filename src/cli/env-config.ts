/**
 * The config of a server command: process env + the command's flags. The one place the CLI
 * reads process.env for settings.
 */
import { loadConfig, parseFlags } from '../config/load.js';
import type { Config } from '../config/schema.js';

export function configFromProcess(argv: string[]): { config: Config; rest: string[] } {
  const { flags, rest } = parseFlags(argv);
  return { config: loadConfig({ env: process.env, flags }), rest };
}
