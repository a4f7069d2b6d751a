import { Type } from '@sinclair/typebox';
import type { SamplerDefinition } from './sampler.js';

// FIXME: placeholder so the registry compiles; it samples nothing yet.
export const memorySampler = {
  name: 'memory',
  config: Type.Object({}),
  create: () => ({ sample: async () => ({ series: [], problems: [] }) }),
} satisfies SamplerDefinition;
