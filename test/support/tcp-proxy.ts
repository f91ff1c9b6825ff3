/**
 * A loopback TCP proxy that can be cut (every socket destroyed, new connections refused) and
 * reopened on the same port: how the fault tests take PostgreSQL away without stopping the
 * machine's shared server. It can also add latency to every reply (a database a network away).
 */
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/** a loopback TCP proxy to PostgreSQL that can be shut (every socket cut) and reopened on its port. */
export class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    /** each reply from the target is held this long: a database a network away, not on loopback. */
    private readonly latencyMs = 0,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      if (this.latencyMs > 0) {
        // timers of equal delay fire in the order they were set, so the bytes stay in order
        upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), this.latencyMs));
        upstream.on('end', () => setTimeout(() => client.end(), this.latencyMs));
      } else upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** stops listening (new connections are refused) and destroys every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise((r) => server.close(r)) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

