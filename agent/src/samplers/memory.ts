import { Type } from '@sinclair/typebox';
import type { SamplerDefinition, SampleResult } from './sampler.js';
import { readSourceFile, unreadableSource } from '../procfs/read.js';
import { memoryFigures, parseMeminfo } from '../procfs/meminfo.js';

const MEMINFO = 'proc/meminfo';

const memoryConfig = Type.Object({});

export const memorySampler: SamplerDefinition<typeof memoryConfig> = {
  name: 'memory',
  config: memoryConfig,
  create(ctx) {
    return {
      async sample(): Promise<SampleResult> {
        const figures = memoryFigures(parseMeminfo(await readSourceFile(ctx.rootDir, MEMINFO)));
        if (figures === undefined || figures.totalBytes <= 0) {
          throw unreadableSource(ctx.rootDir, MEMINFO, 'no usable MemTotal and MemFree lines');
        }
        const { totalBytes, availableBytes, swapTotalBytes, swapFreeBytes } = figures;
        return {
          series: [
            { metric: 'memory_total_bytes', labels: {}, value: totalBytes },
            { metric: 'memory_available_bytes', labels: {}, value: availableBytes },
            {
              metric: 'memory_used_percent',
              labels: {},
              value: ((totalBytes - availableBytes) / totalBytes) * 100,
            },
            {
              metric: 'swap_used_percent',
              labels: {},
              value: swapTotalBytes > 0 ? ((swapTotalBytes - swapFreeBytes) / swapTotalBytes) * 100 : 0,
            },
          ],
          problems: [],
        };
      },
    };
  },
};
