import { Type } from '@sinclair/typebox';
import type { SamplerDefinition, SampleResult } from './sampler.js';
import { readSourceFile, unreadableSource } from '../procfs/read.js';
import { parseLoadavg } from '../procfs/loadavg.js';

const LOADAVG = 'proc/loadavg';

const loadConfig = Type.Object({});

export const loadSampler: SamplerDefinition<typeof loadConfig> = {
  name: 'load',
  config: loadConfig,
  create(ctx) {
    return {
      async sample(): Promise<SampleResult> {
        const load = parseLoadavg(await readSourceFile(ctx.rootDir, LOADAVG));
        if (load === undefined) throw unreadableSource(ctx.rootDir, LOADAVG, 'not three load averages');
        return {
          series: [
            { metric: 'load_1m', labels: {}, value: load.load1m },
            { metric: 'load_5m', labels: {}, value: load.load5m },
            { metric: 'load_15m', labels: {}, value: load.load15m },
          ],
          problems: [],
        };
      },
    };
  },
};
