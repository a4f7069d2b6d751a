// The node flags and environment that deploy/systemd gives each service, so `npm start` and the
// benchmarks run the agent and the collector as an installed host would.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const systemdDir = resolve(import.meta.dirname, '..', 'deploy', 'systemd');

function unitText(service) {
  return readFileSync(join(systemdDir, `hostpulse-${service}.service`), 'utf8');
}

/** The flags between `node` and the script in the unit's ExecStart, as an argv list. */
export function unitNodeFlags(service) {
  const execStart = /^ExecStart=\S*node((?: --?[\w-]+(?:=\S+)?)*) /m.exec(unitText(service));
  return execStart ? execStart[1].trim().split(' ').filter(Boolean) : [];
}

/** The unit's `Environment=NAME=value` lines. */
export function unitEnvironment(service) {
  const lines = unitText(service).matchAll(/^Environment=(\w+)=(\S*)$/gm);
  return Object.fromEntries([...lines].map((m) => [m[1], m[2]]));
}
