import { encodeBatch, type Batch } from '@hostpulse/shared';
import { hostpulse } from '@hostpulse/proto';
import { sameLabels } from '../storage/labels-key.js';

// Encodes a simulated Batch as protobuf, the same bytes protobufjs would write for the same
// fields. One process plays thousands of agents on the machine it is measuring, so its own CPU
// is taken from the collector under test: encoding every series' metric and label strings anew
// each cycle was a fifth of simulate's time. A series' metric and labels are encoded once per
// host and position (`SeriesHeads`); each cycle only adds its times and values.
//
// Protobuf allows a message's fields in any order and appends repeated fields met later, so the
// body is the batch without series (encoded by protobufjs) followed by the series, each written
// here as field 8 of Batch.

export interface SimSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

interface Head {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

const BATCH_SERIES = (8 << 3) | 2;
const SERIES_TIMES = (3 << 3) | 2;
const SERIES_VALUES = (4 << 3) | 2;

/** Encoded metric-and-labels prefixes of each host's series, by position in its batch. */
export class SeriesHeads {
  private readonly byHost = new Map<string, Head[]>();

  /** The encoded fields 1 and 2 of the series at `position` of this host's batches. */
  bytesFor(hostId: string, position: number, series: SimSeries): Uint8Array {
    let heads = this.byHost.get(hostId);
    if (!heads) this.byHost.set(hostId, (heads = []));
    const known = heads[position];
    if (known && known.metric === series.metric && sameLabels(known.labels, series.labels)) {
      return known.bytes;
    }
    const { metric, labels } = series;
    const bytes = hostpulse.v1.Series.encode({ metric, labels }).finish();
    heads[position] = { metric, labels, bytes };
    return bytes;
  }
}

export function encodeSimBatch(
  header: Omit<Batch, 'series'>,
  series: readonly SimSeries[],
  heads: SeriesHeads,
): Buffer {
  const start = encodeBatch({ ...header, series: [] });
  const parts: Uint8Array[] = new Array(series.length);
  let length = start.length;
  for (let i = 0; i < series.length; i++) {
    const one = series[i] as SimSeries;
    const part = encodeSeries(heads.bytesFor(header.agentId ?? '', i, one), one);
    parts[i] = part;
    length += part.length;
  }
  const body = Buffer.allocUnsafe(length);
  body.set(start, 0);
  let at = start.length;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return body;
}

/** Field 8 of Batch: tag, length, the series' head, then its packed times and values. */
function encodeSeries(head: Uint8Array, series: SimSeries): Buffer {
  let timesLength = 0;
  for (const t of series.timestampsMs) timesLength += varintLength(t);
  const valuesLength = 8 * series.values.length;
  const seriesLength =
    head.length +
    (series.timestampsMs.length > 0 ? 1 + varintLength(timesLength) + timesLength : 0) +
    (series.values.length > 0 ? 1 + varintLength(valuesLength) + valuesLength : 0);
  const out = Buffer.allocUnsafe(1 + varintLength(seriesLength) + seriesLength);
  let at = out.writeUInt8(BATCH_SERIES, 0);
  at = writeVarint(out, at, seriesLength);
  out.set(head, at);
  at += head.length;
  if (series.timestampsMs.length > 0) {
    at = out.writeUInt8(SERIES_TIMES, at);
    at = writeVarint(out, at, timesLength);
    for (const t of series.timestampsMs) at = writeVarint(out, at, t);
  }
  if (series.values.length > 0) {
    at = out.writeUInt8(SERIES_VALUES, at);
    at = writeVarint(out, at, valuesLength);
    for (const v of series.values) at = out.writeDoubleLE(v, at);
  }
  return out;
}

// Times are non-negative milliseconds below 2^53, past the 32 bits that bit operators keep, so
// the varint is cut with arithmetic.
function varintLength(value: number): number {
  let length = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) length++;
  return length;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 128) {
    out[at++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}
