// The port `npm start` takes when HOSTPULSE_PORT is unset: the first free one of a few from
// 8080 up, as the README promises, so a second checkout or a busy 8080 still gets a port that
// is easy to type; any port the system hands out when those are all taken.
import { createServer } from 'node:net';

/**
 * Listens on 127.0.0.1:port for a moment (0: a port the system picks); resolves the port it
 * got, or undefined when that one is taken. The collector listens there next.
 */
function probe(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const got = server.address().port;
      server.close(() => resolve(got));
    });
  });
}

/** The first of `count` ports from `first` that is free, else any free port. */
export async function firstFreePort(first = 8080, count = 10) {
  for (let port = first; port < first + count && port <= 65535; port += 1) {
    if ((await probe(port)) !== undefined) return port;
  }
  const any = await probe(0);
  if (any === undefined) throw new Error('no port on 127.0.0.1 can be listened on');
  return any;
}
