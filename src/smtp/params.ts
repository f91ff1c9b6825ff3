/**
 * Leniency for MAIL/RCPT parameters that real clients repeat: Python's smtplib sends `SMTPUTF8`
 * (and `BODY=8BITMIME`) twice when asked for it and advertised, and smtp-server answers
 * `501 Error: duplicate SMTPUTF8 parameter`. A parameter repeated with the same value says
 * nothing new, so we accept it; a repeat with a different value is still refused (RFC 3461 §4:
 * a parameter appears at most once, and two values are ambiguous).
 * Not here: anything else about the envelope (server.ts decides recipients).
 */

/** the part of smtp-server's connection this patch touches (a private method, checked at run time). */
interface ParsingConnection {
  _parseAddressCommand?: (name: string, command: string) => false | { duplicate?: string | false; args?: unknown; address?: string };
}

/** `KEY` → every raw value given for it (`true` for a bare flag), in the order sent. */
function paramValues(command: string): Map<string, (string | true)[]> {
  const afterColon = command.split(':').slice(1).join(':').trim();
  const values = new Map<string, (string | true)[]>();
  for (const param of afterColon.split(/\s+/).slice(1)) {
    const [key = '', ...rest] = param.split('=');
    if (!key) continue;
    const upper = key.toUpperCase();
    const value = rest.length ? rest.join('=') : true;
    values.set(upper, [...(values.get(upper) ?? []), value]);
  }
  return values;
}

/**
 * wraps the connection's parameter parser so a parameter repeated with an identical value is not
 * flagged as a duplicate. When smtp-server renames the private method, nothing is patched and
 * test/smtp/lenient.test.ts fails to say so.
 */
export function acceptRepeatedParams(conn: unknown): void {
  const c = conn as ParsingConnection;
  const original = c._parseAddressCommand;
  if (typeof original !== 'function') return;
  c._parseAddressCommand = function (this: unknown, name: string, command: string) {
    const parsed = original.call(this, name, command);
    if (!parsed || !parsed.duplicate) return parsed;
    const sameEverywhere = [...paramValues(String(command)).values()].every((vs) => vs.every((v) => v === vs[0]));
    if (sameEverywhere) delete parsed.duplicate;
    return parsed;
  };
}
