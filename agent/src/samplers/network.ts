import { Type } from '@sinclair/typebox';
import type { SamplerDefinition, SampleResult, SeriesValue } from './sampler.js';
import { readSourceFile } from '../procfs/read.js';
import { parseNetDev, type InterfaceCounters } from '../procfs/net-dev.js';
import { counterRate } from '../procfs/counter.js';
import { compileGlobList } from '@hostpulse/shared';

// Per-interface rates from two readings of /proc/net/dev. An interface seen for the first time
// gets rates from its second reading; one that is gone is simply no longer reported.

const NET_DEV = 'proc/net/dev';

// Plausibility bounds for counterRate(): well above any link today (800 Gbit/s is 1e11 B/s),
// low enough that a reset read as an increase shows up as implausible.
const MAX_BYTES_PER_SECOND = 1e12;
const MAX_ERRORS_PER_SECOND = 1e10;

const RATES = [
  ['network_receive_bytes_per_second', 'receiveBytes', MAX_BYTES_PER_SECOND],
  ['network_transmit_bytes_per_second', 'transmitBytes', MAX_BYTES_PER_SECOND],
  ['network_receive_errors_per_second', 'receiveErrors', MAX_ERRORS_PER_SECOND],
  ['network_transmit_errors_per_second', 'transmitErrors', MAX_ERRORS_PER_SECOND],
] as const;

interface Reading {
  readonly atMs: number;
  readonly counters: InterfaceCounters;
}

const networkConfig = Type.Object({
  exclude_interfaces: Type.Array(Type.String({ minLength: 1 }), {
    default: ['lo', 'veth*'],
    description: 'interface names or globs (* and ?) not to report',
  }),
});

export const networkSampler: SamplerDefinition<typeof networkConfig> = {
  name: 'network',
  config: networkConfig,
  create(ctx, config) {
    const isExcluded = compileGlobList(config.excludeInterfaces);
    let previous = new Map<string, Reading>();
    return {
      async sample(): Promise<SampleResult> {
        const text = await readSourceFile(ctx.rootDir, NET_DEV);
        // The time of the read, not of the cycle: an earlier sampler may have taken seconds.
        const atMs = ctx.now();
        const current = new Map<string, Reading>();
        const series: SeriesValue[] = [];
        for (const counters of parseNetDev(text)) {
          if (isExcluded(counters.name)) continue;
          current.set(counters.name, { atMs, counters });
          const before = previous.get(counters.name);
          if (before === undefined) continue;
          const labels = { interface: counters.name };
          for (const [metric, field, maxPerSecond] of RATES) {
            const value = counterRate(before.counters[field], counters[field], atMs - before.atMs, maxPerSecond);
            if (value !== undefined) series.push({ metric, labels, value });
          }
        }
        previous = current;
        return { series, problems: [] };
      },
    };
  },
};
