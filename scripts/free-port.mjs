// The port `npm start` takes when HOSTPULSE_PORT is unset: the first free one of a few from
// 8080 up, as the README promises, so a second checkout or a busy 8080 still gets a port that
// is easy to type; any port the system hands out when those are all taken.
import { createServer } from 'node:net';

/** Whether 127.0.0.1:port can be listened on now (the collector listens there). */
function canListen(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The first of `count` ports from `first` that is free, else any free port. */
export async function firstFreePort(first = 8080, count = 10) {
  for (let port = first; port < first + count && port <= 65535; port += 1) {
    if (await canListen(port)) return port;
  }
  return anyFreePort();
}
