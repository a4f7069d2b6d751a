import type { CheckDefinition } from './check.js';
import { httpCheck } from './http.js';
import { tcpCheck } from './tcp.js';
import { postgresCheck } from './postgres.js';
import { redisCheck } from './redis.js';
import { smtpCheck } from './smtp.js';
import { storageCheck } from './storage.js';

// The check types `checks:` accepts, by their `type:`. A new type is one file in this folder
// plus one line here (checks/index.test.ts fails on a file that is not listed).
export const checks = [
  httpCheck,
  tcpCheck,
  postgresCheck,
  redisCheck,
  smtpCheck,
  storageCheck,
] as const satisfies readonly CheckDefinition<any>[];
