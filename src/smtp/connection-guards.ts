/**
 * Guards fitted to each smtp-server connection where the library's hooks do not reach: command
 * lines holding a bare CR or ended by a bare LF are refused with 501 before the library parses
 * them, and the 421 replies the library writes itself (idle timeout, shutdown, early talkers)
 * carry an enhanced status code. server.ts fits them; the reply table stays in replies.ts.
 * They touch the library's connection internals (`_parser`, `_createParser`, `_onTimeout`),
 * pinned by test/smtp/hardening.test.ts so an upgrade that moves them fails loudly.
 */
import { SMTP_REPLIES } from './replies.js';

interface Parser {
  _dataMode: boolean;
  _write(chunk: Buffer, encoding: BufferEncoding | 'buffer', next: (err?: Error | null) => void): void;
  oncommand(command: Buffer, callback?: () => void): void;
}

/** the parts of smtp-server's connection the guards wrap. */
export interface GuardedConnection {
  _parser: Parser | false;
  _createParser(): Parser;
  _onTimeout(): void;
  _whenWritable?(next: () => void): void;
  send(code: number, data?: string | string[] | null, context?: string | false): void;
}

/** enhanced codes for the library's own 421 lines (RFC 3463): it writes none, as we hide its derived ones. */
const IDLE_TIMEOUT = '4.4.2';
const LIBRARY_421 = '4.7.0';

/**
 * fits the guards to a connection that has just been initialised.
 * @returns false when the library's internals are not where they were (nothing was fitted).
 */
export function guardConnection(conn: GuardedConnection): boolean {
  if (typeof conn._createParser !== 'function' || typeof conn._onTimeout !== 'function' || typeof conn.send !== 'function') return false;

  const send = conn.send.bind(conn);
  let timingOut = false;
  conn.send = (code, data, context) => {
    if (code === 421 && typeof data === 'string' && !/^\d\.\d{1,3}\.\d{1,3} /.test(data)) {
      data = `${timingOut ? IDLE_TIMEOUT : LIBRARY_421} ${data}`;
    }
    send(code, data, context);
  };
  const onTimeout = conn._onTimeout.bind(conn);
  conn._onTimeout = () => {
    timingOut = true;
    try {
      onTimeout();
    } finally {
      timingOut = false;
    }
  };

  const invalid = SMTP_REPLIES.invalid_input;
  const refuse = (callback?: () => void) => {
    conn.send(invalid.code, `${invalid.enhanced} ${invalid.text}: a command line may hold no CR or LF but its CRLF ending`);
    if (!callback) return;
    setImmediate(() => (conn._whenWritable ? conn._whenWritable(callback) : callback()));
  };

  const guardParser = (parser: Parser): Parser => {
    // the parser splits command lines on /\r?\n/ and hands over the line without its ending, so
    // a bare LF is only visible here: mirror its split and remember each line's ending in order
    let rest = '';
    const bareLf: boolean[] = [];
    const write = parser._write;
    parser._write = function (chunk, encoding, next) {
      if (this._dataMode) {
        // message bytes are never inspected here: bare LF is kept in mail (DESIGN delivery rule 7)
        rest = '';
        bareLf.length = 0;
      } else {
        const data = rest + chunk.toString('binary');
        const newline = /\r?\n/g;
        let end = 0;
        for (let m = newline.exec(data); m; m = newline.exec(data)) {
          bareLf.push(m[0] === '\n');
          end = m.index + m[0].length;
        }
        rest = data.slice(end);
      }
      write.call(this, chunk, encoding, next);
    };
    const oncommand = parser.oncommand;
    parser.oncommand = (command, callback) => {
      const endedBare = bareLf.shift() ?? false;
      // RFC 5321 §2.3.8: CR and LF appear only together, as the line ending. Inside an argument
      // they split replies, log lines and Received headers (`RCPT TO:<a@x>\rX-Injected: 1`)
      if (endedBare || command.includes(0x0d) || command.includes(0x0a)) return refuse(callback);
      oncommand.call(parser, command, callback);
    };
    return parser;
  };

  if (conn._parser) guardParser(conn._parser);
  // STARTTLS retires the parser and makes a new one for the TLS session
  const createParser = conn._createParser.bind(conn);
  conn._createParser = () => guardParser(createParser());
  return true;
}
