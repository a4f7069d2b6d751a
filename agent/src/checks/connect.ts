import { connect, type Socket } from 'node:net';

// A TCP connection for the socket-level checks (tcp, smtp). The signal destroys the socket at
// any point, during the connect or after it; the caller listens for 'error' from then on.

export function connectSocket(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, signal });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
