// Agent footprint: CPU time per cycle and resident memory of the real agent process, beside
// Debian's prometheus-node-exporter scraped at the same cadence in the same run.
//   node bench/agent-footprint.mjs [--seconds 600] [--interval 1] [--runs 3]
// Aim (issue 2): at most 5 ms of CPU per cycle with the default samplers, at most 60 MiB resident
// after 10 minutes at a 1 s interval.
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  agentBin, arg, cpuSeconds, freePort, median, residentBytes, sleep, start, startEmbeddedCollector, stop, tempDir, waitHttp,
} from './lib.mjs';

const seconds = Number(arg('seconds', '120'));
const intervalS = Number(arg('interval', '1'));
const runs = Number(arg('runs', '3'));
const exporterBin = '/usr/bin/prometheus-node-exporter';

async function oneRun(run) {
  const dir = tempDir('agent');
  const collector = await startEmbeddedCollector(dir);
  const agentConfig = join(dir, 'agent.yaml');
  writeFileSync(
    agentConfig,
    `collector: { url: "${collector.url}", token: "${collector.token}" }\ninterval: ${intervalS}s\nbuffer: { path: ${join(dir, 'agent.db')} }\n`,
  );
  const agent = start(process.execPath, [agentBin, '--config', agentConfig], join(dir, 'agent.log'), { HOSTPULSE_LOG_LEVEL: 'warn' });

  let exporter;
  let exporterUrl;
  if (existsSync(exporterBin)) {
    const port = await freePort();
    exporterUrl = `http://127.0.0.1:${port}/metrics`;
    exporter = start(exporterBin, [`--web.listen-address=127.0.0.1:${port}`], join(dir, 'node-exporter.log'));
    await waitHttp(exporterUrl);
  }
  // Let both start up before measuring: start-up costs are not per-cycle costs.
  await sleep(5_000);
  const agentCpu0 = cpuSeconds(agent.pid);
  const exporterCpu0 = exporter ? cpuSeconds(exporter.pid) : 0;
  const started = Date.now();
  let scrapes = 0;
  while (Date.now() - started < seconds * 1000) {
    if (exporter) {
      await (await fetch(exporterUrl)).text();
      scrapes += 1;
    }
    await sleep(intervalS * 1000);
  }
  const elapsedS = (Date.now() - started) / 1000;
  const cycles = elapsedS / intervalS;
  const result = {
    agentCpuMsPerCycle: ((cpuSeconds(agent.pid) - agentCpu0) * 1000) / cycles,
    agentCpuPercent: ((cpuSeconds(agent.pid) - agentCpu0) / elapsedS) * 100,
    agentRssMiB: residentBytes(agent.pid) / 2 ** 20,
    exporterCpuMsPerScrape: exporter ? ((cpuSeconds(exporter.pid) - exporterCpu0) * 1000) / scrapes : NaN,
    exporterCpuPercent: exporter ? ((cpuSeconds(exporter.pid) - exporterCpu0) / elapsedS) * 100 : NaN,
    exporterRssMiB: exporter ? residentBytes(exporter.pid) / 2 ** 20 : NaN,
  };
  await stop(agent);
  if (exporter) await stop(exporter);
  await stop(collector.child);
  console.log(`run ${run}: ${JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Number(v.toFixed(3))])))}`);
  return result;
}

console.log(`agent footprint: ${runs} runs of ${seconds} s at a ${intervalS} s interval (node_exporter scraped as often)`);
if (!existsSync(exporterBin)) console.log('prometheus-node-exporter is missing (apt-get install prometheus-node-exporter): no peer figures');
const results = [];
for (let run = 1; run <= runs; run += 1) results.push(await oneRun(run));
const m = (key) => median(results.map((r) => r[key]));
console.log('\nmedian of runs:');
console.log(`  agent          ${m('agentCpuMsPerCycle').toFixed(2)} ms CPU per cycle, ${m('agentCpuPercent').toFixed(3)} % of a core, ${m('agentRssMiB').toFixed(1)} MiB resident`);
console.log(`  node_exporter  ${m('exporterCpuMsPerScrape').toFixed(2)} ms CPU per scrape, ${m('exporterCpuPercent').toFixed(3)} % of a core, ${m('exporterRssMiB').toFixed(1)} MiB resident`);
console.log(`  ratio agent / node_exporter CPU: ${(m('agentCpuPercent') / m('exporterCpuPercent')).toFixed(2)}`);
