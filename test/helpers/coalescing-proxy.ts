/**
 * A TCP proxy on 127.0.0.1 that holds what the server sends for `holdMs` and
 * forwards it in one write, so the client reads several SSH packets (say the
 * exec reply and the command's exit status) in one chunk, as it happens over
 * a real network. Client-to-server bytes pass straight through. cut() drops
 * every connection at once, like a host that vanished.
 */
import net from 'node:net';

export interface CoalescingProxy {
  port: number;
  /** Writes to the client that carried more than one read from the server. */
  readonly mergedWrites: number;
  /** Client connections accepted so far. */
  readonly connections: number;
  /** Destroys every open connection (both sides), as if the network went away. */
  cut(): void;
  close(): Promise<void>;
}

export async function startCoalescingProxy(upstream: { host: string; port: number }, holdMs = 10): Promise<CoalescingProxy> {
  const sockets = new Set<net.Socket>();
  let mergedWrites = 0;
  let connections = 0;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const listener = net.createServer((client) => {
    connections++;
    const server = net.connect(upstream);
    track(client);
    track(server);
    client.setNoDelay(true);
    server.setNoDelay(true);
    let held: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (held.length === 0 || client.destroyed) return;
      if (held.length > 1) mergedWrites++;
      client.write(Buffer.concat(held));
      held = [];
    };
    server.on('data', (chunk: Buffer) => {
      held.push(chunk);
      timer ??= setTimeout(flush, holdMs);
    });
    server.on('end', () => {
      clearTimeout(timer);
      flush();
      client.end();
    });
    server.on('close', () => client.destroy());
    client.pipe(server);
    client.on('close', () => server.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (listener.address() as net.AddressInfo).port,
    get mergedWrites() {
      return mergedWrites;
    },
    get connections() {
      return connections;
    },
    cut() {
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
