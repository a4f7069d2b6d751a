// One-dimensional arrays in PostgreSQL's binary wire format (what array_recv reads), for the
// per-sample columns of ingest. The pg driver sends a Buffer parameter in binary, and the
// statement's cast ($n::float8[]) tells the server how to read it. Against text literals this
// skips printing every double in JavaScript and parsing it again in the server (both costly),
// sends 12 bytes a value instead of up to 24, and keeps every double exact, -0 included.

const INT4_OID = 23;
const INT8_OID = 20;
const FLOAT8_OID = 701;
const HEADER_BYTES = 20;

type Put = (view: DataView, offset: number, value: number) => void;

const putInt4: Put = (view, offset, value) => view.setInt32(offset, value);
const putFloat8: Put = (view, offset, value) => view.setFloat64(offset, value);
// Timestamps are safe integers (checked at ingest), so they split into two 32-bit halves
// without a BigInt per value.
const putInt8: Put = (view, offset, value) => {
  const high = Math.floor(value / 2 ** 32);
  view.setInt32(offset, high);
  view.setUint32(offset + 4, value - high * 2 ** 32);
};

function encode(values: ArrayLike<number>, oid: number, width: number, put: Put): Buffer {
  const n = values.length;
  const bytes = n === 0 ? 12 : HEADER_BYTES + n * (4 + width);
  const buffer = Buffer.allocUnsafe(bytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setInt32(0, n === 0 ? 0 : 1); // dimensions: an empty array has none
  view.setInt32(4, 0); // no NULLs
  view.setInt32(8, oid);
  if (n === 0) return buffer;
  view.setInt32(12, n);
  view.setInt32(16, 1); // lower bound, as SQL arrays start at 1
  let offset = HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    view.setInt32(offset, width);
    put(view, offset + 4, values[i] as number);
    offset += 4 + width;
  }
  return buffer;
}

export const int4Array = (values: ArrayLike<number>): Buffer => encode(values, INT4_OID, 4, putInt4);
export const int8Array = (values: ArrayLike<number>): Buffer => encode(values, INT8_OID, 8, putInt8);
export const float8Array = (values: ArrayLike<number>): Buffer =>
  encode(values, FLOAT8_OID, 8, putFloat8);
