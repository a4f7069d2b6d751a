import pg from 'pg';
import { agentBin, collectorBin, freePort, runCli, startProcess, waitFor, writeFile, type RunningProcess } from './processes.js';

// A collector on a throwaway PostgreSQL database plus one agent, as real processes, for the
// end-to-end tests that break things (outages, kill -9) and then count what arrived.

export interface Stack {
  readonly url: string;
  readonly token: string;
  readonly collectorConfig: string;
  readonly agentConfig: string;
  collector?: RunningProcess | undefined;
  agent?: RunningProcess | undefined;
  startCollector(name?: string): Promise<RunningProcess>;
  startAgent(name?: string): RunningProcess;
  stopAll(): Promise<void>;
}

export interface StackOptions {
  readonly intervalS: number;
  readonly collectorYaml?: string;
  readonly agentUrl?: string;
  /** Extra top-level lines for agent.yaml, e.g. `host: { id: web-1 }`. */
  readonly agentYaml?: string;
  /** Extra keys inside agent.yaml's `buffer:` map, e.g. `max_bytes: 64KiB`. */
  readonly bufferYaml?: string;
}

export async function prepareStack(dir: string, dbUrl: string, options: StackOptions): Promise<Stack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const collectorConfig = writeFile(
    dir,
    'collector.yaml',
    `listen: 127.0.0.1:${port}\ndatabase: { url: "${dbUrl}" }\ndata_dir: ${dir}\n${options.collectorYaml ?? ''}`,
  );
  const migrated = runCli(collectorBin, ['migrate', '--config', collectorConfig]);
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stdout}${migrated.stderr}`);
  const created = runCli(collectorBin, ['token', 'create', '--agent', 'e2e', '--config', collectorConfig]);
  const token = /hp_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
  if (!token) throw new Error(`token create printed no token: ${created.stdout}${created.stderr}`);
  const agentConfig = writeFile(
    dir,
    'agent.yaml',
    `collector: { url: "${options.agentUrl ?? url}", token: "${token}", timeout: 2s }\ninterval: ${options.intervalS}s\n` +
      `buffer: { path: ${dir}/agent.db${options.bufferYaml ? `, ${options.bufferYaml}` : ''} }\n${options.agentYaml ?? ''}`,
  );

  const stack: Stack = {
    url,
    token,
    collectorConfig,
    agentConfig,
    async startCollector(name = 'collector') {
      stack.collector = startProcess(name, collectorBin, ['--config', collectorConfig], dir);
      await waitFor('collector ready', async () => (await fetch(`${url}/readyz`)).ok || undefined);
      return stack.collector;
    },
    startAgent(name = 'agent') {
      stack.agent = startProcess(name, agentBin, ['--config', agentConfig], dir);
      return stack.agent;
    },
    async stopAll() {
      await stack.agent?.stop();
      await stack.collector?.stop();
    },
  };
  return stack;
}

export interface StoredCycles {
  /** Sequence numbers of the stored batches, ascending. */
  readonly seqs: number[];
  /** Timestamps of one once-per-cycle series (load_1m), ascending, duplicates kept. */
  readonly times: number[];
}

export async function storedCycles(dbUrl: string): Promise<StoredCycles> {
  const client = new pg.Client(dbUrl);
  await client.connect();
  try {
    const batches = await client.query('SELECT seq::bigint AS seq FROM batches ORDER BY seq');
    const samples = await client.query(
      `SELECT s.t_ms::bigint AS t FROM samples s JOIN series se ON se.id = s.series_id
       WHERE se.metric = 'load_1m' ORDER BY s.t_ms`,
    );
    return { seqs: batches.rows.map((r) => Number(r.seq)), times: samples.rows.map((r) => Number(r.t)) };
  } finally {
    await client.end();
  }
}

/** Problems with a run of cycles: a seq missing, a timestamp twice, a cycle missing. */
export function cycleProblems(cycles: StoredCycles, intervalMs: number, allowedHoles: [number, number][] = []): string[] {
  const problems: string[] = [];
  cycles.seqs.forEach((seq, i) => {
    if (seq !== i + 1) problems.push(`seq ${i + 1} missing (found ${seq} at position ${i})`);
  });
  for (let i = 1; i < cycles.times.length; i += 1) {
    const prev = cycles.times[i - 1] as number;
    const cur = cycles.times[i] as number;
    if (cur === prev) problems.push(`timestamp ${cur} stored twice`);
    const inHole = allowedHoles.some(([from, to]) => prev >= from && cur <= to);
    if (cur - prev > intervalMs && !inHole) problems.push(`no cycle between ${prev} and ${cur}`);
  }
  return problems;
}

/** Waits until a cycle sampled after `sinceMs` is stored and the newest cycle is recent. */
export async function waitDrained(dbUrl: string, sinceMs: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'the agent buffer to drain',
    async () => {
      const newest = (await storedCycles(dbUrl)).times.at(-1) ?? 0;
      return (newest > sinceMs && Date.now() - newest < 3_000) || undefined;
    },
    timeoutMs,
    500,
  );
}
