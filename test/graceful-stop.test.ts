import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { encoded, wireBatch } from '../collector/test/helpers/batches.js';
import {
  collectorBin,
  freePort,
  runCli,
  startProcess,
  tempDir,
  waitFor,
  writeFile,
  type RunningProcess,
} from './helpers/processes.js';

// SIGTERM while an ingest is in flight: the collector stops listening but lets that request
// finish, so the agent gets its acknowledgement and does not send the batch again. The
// request is made slow by sending its body in two halves, the second after the signal.

const dir = tempDir('graceful-stop');
let collector: RunningProcess | undefined;
afterAll(async () => {
  await collector?.stop('SIGKILL');
  dir.remove();
});

describe('graceful stop', () => {
  it('completes an ingest that is in flight when SIGTERM arrives, then exits 0', async () => {
    const port = await freePort();
    const config = writeFile(dir.path, 'collector.yaml', `listen: 127.0.0.1:${port}\ndata_dir: ${dir.path}\n`);
    expect(runCli(collectorBin, ['migrate', '--config', config]).status).toBe(0);
    const token = runCli(collectorBin, ['token', 'create', '--agent', 'slow', '--config', config]).stdout.trim();
    collector = startProcess('collector', collectorBin, ['--config', config], dir.path);
    const running = collector;
    await waitFor('collector ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok || undefined);

    const body = encoded(wireBatch({ seq: 7, samples: 50 }));
    const half = Math.floor(body.length / 2);
    type Answer = { status: number; connection: string | undefined; text: string };
    const answer = new Promise<Answer>((done, fail) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/ingest',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-protobuf',
          'content-length': String(body.length),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        const connection = res.headers.connection;
        res.on('end', () => done({ status: res.statusCode ?? 0, connection, text }));
      });
      req.on('error', fail);
      req.write(body.subarray(0, half));
      // The second half goes after the signal, so the request is in flight while stopping.
      void waitFor('the stop to begin', () => running.log().includes('stopping') || undefined)
        .then(() => sleep(300))
        .then(() => req.end(body.subarray(half)), fail);
    });

    await sleep(300);
    running.child.kill('SIGTERM');
    const { status, connection, text } = await answer;
    expect(status).toBe(200);
    // The connection closes with the answer, so the stop need not wait for its keep-alive.
    expect(connection).toBe('close');
    expect(JSON.parse(text)).toMatchObject({ seq: 7, acceptedSamples: 50, duplicate: false });
    expect(await running.waitExit()).toBe(0);
    expect(running.log()).toContain('"msg":"stopped"');
  });
});
