import { Type } from '@sinclair/typebox';
import type { CheckDefinition } from './check.js';
import { connectSocket } from './connect.js';

// Up when a TCP connection to host:port is accepted; the latency is the time to connect. The
// connection is closed at once without a byte sent, so any service can be checked this way.

const tcpConfig = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
});

export const tcpCheck: CheckDefinition<typeof tcpConfig> = {
  type: 'tcp',
  config: tcpConfig,
  metrics: [],
  create(_ctx, config) {
    return {
      async run(signal) {
        const socket = await connectSocket(config.host, config.port, signal);
        socket.destroy();
        return {};
      },
    };
  },
};
