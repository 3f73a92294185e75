import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Picks `count` distinct 127.x.y.z addresses on which every given port is free,
 * so clusters (tests, a second demo) never collide and can still use the
 * runbook's ports 2379/2380.
 */
export async function pickLoopbackAddresses(count: number, ports: number[], attempts = 200): Promise<string[]> {
  const picked: string[] = [];
  for (let i = 0; i < attempts && picked.length < count; i++) {
    const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(2, 255)}`;
    if (picked.includes(address)) continue;
    const free = await Promise.all(ports.map((p) => canBind(address, p)));
    if (free.every(Boolean)) picked.push(address);
  }
  if (picked.length < count) throw new Error(`could not find ${count} free loopback addresses for ports ${ports.join(', ')}`);
  return picked;
}
