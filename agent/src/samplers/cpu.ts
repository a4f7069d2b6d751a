import { Type } from '@sinclair/typebox';
import type { SamplerDefinition } from './sampler.js';

// FIXME: placeholder so the registry compiles; it samples nothing yet.
export const cpuSampler = {
  name: 'cpu',
  config: Type.Object({}),
  create: () => ({ sample: async () => ({ series: [], problems: [] }) }),
} satisfies SamplerDefinition;
