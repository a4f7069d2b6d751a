import { Type } from '@sinclair/typebox';
import type { SamplerDefinition, SampleResult } from './sampler.js';
import { readSourceFile, unreadableSource } from '../procfs/read.js';
import { cpuPercentages, parseCpuStat, type CpuTimes } from '../procfs/stat.js';

// CPU shares from two readings of /proc/stat's aggregate line. Shares are ratios of ticks, so
// the clock plays no part; the first call only takes the baseline. An interval in which a
// counter went down (CPU unplugged, kernel correction) is skipped, see cpuPercentages().

const STAT = 'proc/stat';

const cpuConfig = Type.Object({});

export const cpuSampler: SamplerDefinition<typeof cpuConfig> = {
  name: 'cpu',
  config: cpuConfig,
  create(ctx) {
    let previous: CpuTimes | undefined;
    return {
      async sample(): Promise<SampleResult> {
        const current = parseCpuStat(await readSourceFile(ctx.rootDir, STAT));
        if (current === undefined) throw unreadableSource(ctx.rootDir, STAT, 'no aggregate "cpu" line');
        const before = previous;
        previous = current;
        const shares = before === undefined ? undefined : cpuPercentages(before, current);
        if (shares === undefined) return { series: [], problems: [] };
        return {
          series: [
            { metric: 'cpu_usage_percent', labels: {}, value: shares.usage },
            { metric: 'cpu_iowait_percent', labels: {}, value: shares.iowait },
            { metric: 'cpu_steal_percent', labels: {}, value: shares.steal },
          ],
          problems: [],
        };
      },
    };
  },
};
