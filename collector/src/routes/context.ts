import type { Alerting } from '../alerting/alerting.js';
import type { CollectorConfig } from '../config.js';
import type { ReadinessCheck } from '../readiness.js';
import type { CollectorMetrics } from '../self-metrics/collector-metrics.js';
import type { Storage } from '../storage/storage.js';

/** What every route module is given; nothing reads a module-level variable. */
export interface RouteContext {
  readonly config: CollectorConfig;
  readonly storage: Storage;
  readonly alerting: Alerting;
  /** Dependencies besides storage that /readyz asks (Redis when configured). */
  readonly readiness: readonly ReadinessCheck[];
  /** The collector's own metrics (GET /metrics); routes count what they do here. */
  readonly metrics: CollectorMetrics;
  /** The clock, in epoch ms; tests pass their own. */
  readonly now: () => number;
}
