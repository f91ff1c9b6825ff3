/**
 * The logger shape core code needs; pino satisfies it. Entries carry a `component` field
 * (smtp, delivery, store, bus, sweeper) through child loggers.
 */
export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
