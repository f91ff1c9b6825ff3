/**
 * The config of a server command: process env + the command's flags. The one place the CLI
 * reads process.env for settings; an INBOXD_* variable no setting reads is warned about here.
 */
import { loadConfig, parseFlags, unknownEnvWarnings } from '../config/load.js';
import type { Config } from '../config/schema.js';

export function configFromProcess(argv: string[]): { config: Config; rest: string[] } {
  const { flags, rest } = parseFlags(argv);
  for (const warning of unknownEnvWarnings(process.env)) process.stderr.write(`inboxd: warning: ${warning}\n`);
  return { config: loadConfig({ env: process.env, flags }), rest };
}
