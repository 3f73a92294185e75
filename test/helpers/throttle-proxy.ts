/**
 * A TCP proxy that forwards what the server sends at a limited rate (TLS
 * passes through untouched), so a snapshot stream of a few MB takes seconds
 * and a test can act while it is under way. Listen on the member's own
 * address so its certificate's IP SAN still matches. cut() drops every
 * connection, like a network that went away.
 */
import net from 'node:net';

export interface ThrottleProxy {
  port: number;
  cut(): void;
  close(): Promise<void>;
}

export async function startThrottleProxy(
  listenHost: string,
  upstream: { host: string; port: number },
  bytesPerTick = 16 * 1024,
  tickMs = 10,
): Promise<ThrottleProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const listener = net.createServer((client) => {
    const server = net.connect(upstream);
    track(client);
    track(server);
    client.pipe(server);
    let queue: Buffer[] = [];
    let queued = 0;
    server.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued > 4 * bytesPerTick) server.pause();
    });
    const timer = setInterval(() => {
      if (queued === 0) return;
      const all = Buffer.concat(queue);
      const now = all.subarray(0, bytesPerTick);
      const rest = all.subarray(bytesPerTick);
      queue = rest.length > 0 ? [Buffer.from(rest)] : [];
      queued = rest.length;
      if (!client.destroyed) client.write(now);
      if (queued <= 4 * bytesPerTick) server.resume();
    }, tickMs);
    const stop = () => {
      clearInterval(timer);
      client.destroy();
      server.destroy();
    };
    client.on('close', stop);
    server.on('close', () => {
      // flush what is left, then close
      const drain = setInterval(() => {
        if (queued === 0 || client.destroyed) {
          clearInterval(drain);
          stop();
        }
      }, tickMs);
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, listenHost, resolve);
  });
  const port = (listener.address() as net.AddressInfo).port;
  return {
    port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        listener.close(() => resolve());
      }),
  };
}
