import type { IngestBatch } from '../storage/storage.js';
import type { AlertOperator } from './operator.js';

// What the rest of the collector sees of alerting. The ingest route calls observe() after a
// batch is stored (never for a duplicate), so alerts are evaluated as data arrives.
export interface Alerting {
  observe(batch: IngestBatch): void;
  /** Starts timers and the outbox worker. */
  start(): void;
  /** Stops timers, lets in-flight deliveries finish or time out. */
  stop(): Promise<void>;
  /** Alerts, acknowledgements, silences and rules for the API; stand-ins may leave it out. */
  readonly operator?: AlertOperator;
}
