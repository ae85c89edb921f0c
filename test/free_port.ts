// A free TCP port on 127.0.0.1, for clusters whose tasks must know each other's addresses
// before any of them starts (shared by test/distributed.test.ts and bench/distributed.ts).
import { createServer, type AddressInfo } from 'node:net';

/** A port no one listens on now (the OS's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
