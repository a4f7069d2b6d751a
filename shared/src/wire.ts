import { gunzipSync, gzipSync } from 'node:zlib';
import { hostpulse } from '@hostpulse/proto';
import { HostpulseError } from './errors.js';

// Encoding and decoding of the SPEC §4 Batch, shared by the agent (encode) and the collector
// (decode), so both sides agree on one set of checks.

export type Batch = hostpulse.v1.IBatch;
export type Series = hostpulse.v1.ISeries;
export type WireEvent = hostpulse.v1.IEvent;
export type Gap = hostpulse.v1.IGap;
export type Inventory = hostpulse.v1.IInventory;

export const BatchMessage = hostpulse.v1.Batch;

export function encodeBatch(batch: Batch): Uint8Array {
  return hostpulse.v1.Batch.encode(batch).finish();
}

/** Level 6 by default: an agent sends once per cycle and saves bytes; 1 is several times faster. */
export function gzipBatch(encoded: Uint8Array, level = 6): Buffer {
  return gzipSync(encoded, { level });
}

export interface DecodeLimits {
  /** Most bytes a body may inflate to; a gzip bomb stops here. */
  readonly maxInflatedBytes: number;
}

/** Decodes a request body into a Batch; every failure is a `batch_invalid` error naming why. */
export function decodeBatch(body: Buffer, gzipped: boolean, limits: DecodeLimits): hostpulse.v1.Batch {
  if (body.length === 0) throw new HostpulseError('batch_invalid', 'the request body is empty');
  let raw = body;
  if (gzipped) {
    try {
      raw = gunzipSync(body, { maxOutputLength: limits.maxInflatedBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new HostpulseError('batch_too_large', `the gzip body inflates past ${limits.maxInflatedBytes} bytes`);
      }
      throw new HostpulseError('batch_invalid', `the gzip body cannot be inflated (${(err as Error).message})`, {}, { cause: err });
    }
  }
  let batch: hostpulse.v1.Batch;
  try {
    batch = hostpulse.v1.Batch.decode(raw);
  } catch (err) {
    throw new HostpulseError('batch_invalid', `the body is not a protobuf Batch (${(err as Error).message})`, {}, { cause: err });
  }
  checkBatch(batch);
  return batch;
}

function checkBatch(batch: hostpulse.v1.Batch): void {
  if (!batch.agentId) throw new HostpulseError('batch_invalid', 'the batch has no agent_id');
  if (!batch.incarnation) throw new HostpulseError('batch_invalid', 'the batch has no incarnation');
  if (!(Number(batch.seq) > 0)) throw new HostpulseError('batch_invalid', 'the batch has no seq (it starts at 1)');
  if (!batch.hostName) throw new HostpulseError('batch_invalid', 'the batch has no host_name');
  batch.series.forEach((series, i) => {
    if (!series.metric || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(series.metric)) {
      throw new HostpulseError('batch_invalid', `series[${i}] has an invalid metric name ${JSON.stringify(series.metric)}`);
    }
    const times = series.timestampsMs?.length ?? 0;
    const values = series.values?.length ?? 0;
    if (times !== values) {
      throw new HostpulseError(
        'batch_invalid',
        `series[${i}] (${series.metric}) has ${times} timestamps but ${values} values`,
      );
    }
  });
}
