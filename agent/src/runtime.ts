import { basename } from 'node:path';
import { HostpulseError, safeUrl, type Logger } from '@hostpulse/shared';
import { BatchBuffer } from './buffer/batch-buffer.js';
import type { AgentSettings } from './config.js';
import { Daemon } from './daemon.js';
import { resolveHostIdentity, type HostIdentity } from './host-identity.js';
import { InventoryWatcher } from './inventory-watcher.js';
import { closeSamplers, createSamplerSet, type ActiveSampler } from './sampler-set.js';
import { CollectorClient } from './shipper/collector-client.js';
import { Shipper } from './shipper/shipper.js';
import { agentVersion } from './version.js';

// The running agent: one buffer for the life of the process, and a "generation" of daemon,
// samplers, client and shipper built from one config. SIGHUP replaces the generation whole
// while the buffer, and every batch in it, stays.

interface Generation {
  readonly settings: AgentSettings;
  readonly identity: HostIdentity;
  readonly samplers: readonly ActiveSampler[];
  readonly client: CollectorClient;
  readonly shipper: Shipper;
  readonly daemon: Daemon;
}

export interface ShutdownResult {
  readonly sent: number;
  readonly left: number;
}

// Of the 5 s a stopping agent has: the last cycle, then the last send, then closing.
const LAST_SEND_BUDGET_MS = 3000;

export class AgentRuntime {
  private generation: Generation;
  // Outlives generations: a reload with the same root does not send the inventory again.
  private inventory: InventoryWatcher;

  private constructor(
    private readonly buffer: BatchBuffer,
    private readonly log: Logger,
    settings: AgentSettings,
  ) {
    this.inventory = this.watchInventory(settings.config.root);
    this.generation = this.build(settings, undefined, this.inventory);
  }

  private watchInventory(rootDir: string): InventoryWatcher {
    const log = this.log.child({ component: 'inventory' });
    const watcher = new InventoryWatcher({ rootDir, log });
    watcher.start();
    return watcher;
  }

  /** Opens the buffer and starts sampling and shipping. */
  static start(settings: AgentSettings, log: Logger): AgentRuntime {
    const { buffer: limits } = settings.config;
    const buffer = BatchBuffer.open(limits.path, {
      limits: { maxBytes: limits.maxBytes, maxAgeMs: limits.maxAgeMs },
      log: log.child({ component: 'buffer' }),
    });
    const runtime = new AgentRuntime(buffer, log, settings);
    const { identity } = runtime.generation;
    log.info(
      {
        version: agentVersion(),
        configFile: settings.file,
        hostId: identity.id,
        hostIdSource: identity.idSource,
        hostName: identity.name,
        incarnation: buffer.incarnation,
        intervalMs: settings.config.intervalMs,
        collector: safeUrl(settings.config.collector.url),
        tokenConfigured: settings.token !== undefined,
      },
      'agent started',
    );
    if (settings.token === undefined) {
      log.warn(
        { configFile: settings.file },
        'no agent token configured (token, token_file or HOSTPULSE_AGENT_TOKEN); ' +
          'the collector will refuse batches',
      );
    }
    runtime.startGeneration();
    return runtime;
  }

  get settings(): AgentSettings {
    return this.generation.settings;
  }

  get bufferHandle(): BatchBuffer {
    return this.buffer;
  }

  /**
   * Swaps in a new config. Keys that only a restart can change are refused with a
   * config_invalid error, and the running generation then goes on untouched.
   */
  async reload(next: AgentSettings): Promise<void> {
    const current = this.generation.settings.config;
    const file = basename(next.file);
    const problems: string[] = [];
    if (next.config.buffer.path !== current.buffer.path) {
      const change = `from ${current.buffer.path} to ${next.config.buffer.path}`;
      problems.push(`${file}: buffer.path: changing it ${change} needs a restart`);
    }
    if (next.config.host.id !== current.host.id) {
      problems.push(`${file}: host.id: changing it needs a restart`);
    }
    if (problems.length > 0) {
      throw new HostpulseError('config_invalid', problems.join('\n'), { problems });
    }

    const rootChanged = next.config.root !== current.root;
    const inventory = rootChanged ? this.watchInventory(next.config.root) : this.inventory;
    // Built before the old one stops: if building throws, the old generation runs on untouched.
    let built: Generation;
    try {
      built = this.build(next, this.generation, inventory);
    } catch (err) {
      if (rootChanged) inventory.stop();
      throw err;
    }
    if (rootChanged) this.inventory.stop();
    this.inventory = inventory;
    await this.stopGeneration({ final: false });
    // Kept samplers carry on (their rates, their verification results); the rest stop here.
    closeSamplers(this.generation.samplers, built.samplers);
    const { maxBytes, maxAgeMs } = next.config.buffer;
    this.buffer.setLimits({ maxBytes, maxAgeMs });
    this.generation = built;
    this.startGeneration();
  }

  /** SIGTERM: last cycle (marked stopping), one last send with a short deadline, buffer closed. */
  async shutdown(): Promise<ShutdownResult> {
    await this.generation.daemon.stop({ final: true });
    closeSamplers(this.generation.samplers);
    await this.generation.shipper.stop();
    const result = await this.generation.shipper.flush(Date.now() + LAST_SEND_BUDGET_MS);
    await this.generation.client.close();
    this.inventory.stop();
    this.buffer.close();
    return result;
  }

  private build(
    settings: AgentSettings,
    previous: Generation | undefined,
    inventory: InventoryWatcher,
  ): Generation {
    const { config } = settings;
    const identity = resolveHostIdentity({
      configuredId: config.host.id,
      configuredName: config.host.name,
      rootDir: config.root,
      store: this.buffer,
    });
    const samplers = createSamplerSet({ config, log: this.log, previous: previous?.samplers });
    const client = new CollectorClient({
      url: config.collector.url,
      token: settings.token,
      timeoutMs: config.collector.timeoutMs,
      ca: settings.ca,
    });
    const shipperLog = this.log.child({ component: 'shipper' });
    const shipper = new Shipper({ buffer: this.buffer, client, log: shipperLog });
    const daemon = new Daemon({
      intervalMs: config.intervalMs,
      labels: config.labels,
      rootDir: config.root,
      identity,
      agentVersion: agentVersion(),
      samplers,
      buffer: this.buffer,
      onBatch: () => shipper.wake(),
      log: this.log.child({ component: 'daemon' }),
      inventorySource: inventory,
    });
    return { settings, identity, samplers, client, shipper, daemon };
  }

  private startGeneration(): void {
    this.generation.shipper.start();
    this.generation.daemon.start();
  }

  private async stopGeneration(options: { final: boolean }): Promise<void> {
    await this.generation.daemon.stop(options);
    await this.generation.shipper.stop();
    await this.generation.client.close();
  }
}
