/**
 * The floor: a bare smtp-server that reads every message and throws it away, with the same
 * library and version Inboxd uses. Whatever Inboxd adds (parsing, storage, events) is measured
 * as a ratio of this. Prints "floor listening on <port>" and runs until SIGTERM.
 */
import { SMTPServer } from 'smtp-server';

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  maxClients: 2000,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => callback(null, 'Ok: discarded'));
  },
});
// the same early-talker delay Inboxd takes back (src/smtp/server.ts) does not matter here:
// connections are reused, so it is paid once per connection
server.listen(0, '127.0.0.1', () => {
  const addr = server.server.address();
  console.log(`floor listening on ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
