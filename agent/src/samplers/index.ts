import type { SamplerDefinition } from './sampler.js';
import { cpuSampler } from './cpu.js';
import { memorySampler } from './memory.js';
import { loadSampler } from './load.js';
import { filesystemSampler } from './filesystem.js';
import { diskIoSampler } from './disk-io.js';
import { networkSampler } from './network.js';
import { cgroupSampler } from './cgroup.js';

// The agent's samplers, in the order they run and print. A new sampler is one file in this
// folder plus one line here (samplers/index.test.ts fails on a file that is not listed).
export const samplers = [
  cpuSampler,
  memorySampler,
  loadSampler,
  filesystemSampler,
  diskIoSampler,
  networkSampler,
  cgroupSampler,
] as const satisfies readonly SamplerDefinition<any>[];
