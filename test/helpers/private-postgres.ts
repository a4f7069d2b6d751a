import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

// A PostgreSQL cluster of the test's own, for tests that stop the database: the shared one on
// 5432 is used by everyone and is never stopped. initdb and pg_ctl run as the postgres user
// (runuser: the tests run as root, which PostgreSQL refuses), in a temp folder, on a free
// port; remove() stops it through pg_ctl (which signals the postmaster's PID from its pid
// file) and deletes the folder.

const BIN = '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  start(): void;
  /** pg_ctl stop -m fast: sessions are ended, as in a restart by an operator. */
  stop(): void;
  remove(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!existsSync(join(BIN, 'initdb'))) {
    throw new Error(`no ${BIN}/initdb: install PostgreSQL 15 (apt-get install postgresql-15)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-pg-'));
  const uid = Number(run('id', ['-u', 'postgres']).trim());
  const gid = Number(run('id', ['-g', 'postgres']).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;

  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']),
    stop: () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']),
    remove: () => {
      if (existsSync(join(data, 'postmaster.pid'))) {
        spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    cluster.start();
  } catch (err) {
    cluster.remove();
    throw err;
  }
  return cluster;
}

function asPostgres(tool: string, args: string[]): void {
  run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]);
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}
