// The backfill's progress on stderr: percent done, samples per second and time left. On a
// terminal one line rewrites itself a few times a second; into a file or a pipe (CI, journal)
// a whole line is written every few seconds so that the log stays readable.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly label: string;
  /** Batches the whole run will send. */
  readonly total: number;
  readonly stream: ProgressStream;
  /** Between two lines when the stream is not a terminal. */
  readonly everyMs: number;
  readonly now?: () => number;
}

const TTY_REFRESH_MS = 250;

export class Progress {
  private readonly startedMs: number;
  private lastShownMs: number;
  private lastShownBatches = -1;
  private readonly isTty: boolean;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedMs = this.now();
    // The first line waits a period too: a rate measured over one batch says nothing.
    this.lastShownMs = this.startedMs;
    this.isTty = options.stream.isTTY === true;
  }

  /** Called as batches are stored; shows a line when one is due. */
  update(done: Done): void {
    const nowMs = this.now();
    const every = this.isTty ? TTY_REFRESH_MS : this.options.everyMs;
    if (nowMs - this.lastShownMs < every) return;
    this.lastShownMs = nowMs;
    this.show(done, nowMs, false);
  }

  /** The final line, always written, ending the terminal's updating line. */
  finish(done: Done): void {
    if (!this.isTty && done.batches === this.lastShownBatches) return;
    this.show(done, this.now(), true);
  }

  private show(done: Done, nowMs: number, isLast: boolean): void {
    this.lastShownBatches = done.batches;
    const elapsedMs = nowMs - this.startedMs;
    const line = describeProgress(this.options.label, done, this.options.total, elapsedMs);
    if (this.isTty) this.options.stream.write(`\r\u001b[K${line}${isLast ? '\n' : ''}`);
    else this.options.stream.write(`${line}\n`);
  }
}

export interface Done {
  readonly batches: number;
  readonly samples: number;
}

/** `backfill  42.0 %  756 of 1,800 batches  61,210 samples/s  ETA 1s` */
export function describeProgress(
  label: string,
  done: Done,
  total: number,
  elapsedMs: number,
): string {
  const percent = total > 0 ? Math.min(100, (100 * done.batches) / total) : 100;
  const batchRate = elapsedMs > 0 ? (done.batches * 1000) / elapsedMs : 0;
  const sampleRate = elapsedMs > 0 ? (done.samples * 1000) / elapsedMs : 0;
  const left = total - done.batches;
  let eta = 'ETA ?';
  if (left <= 0) eta = 'done';
  else if (batchRate > 0) eta = `ETA ${formatSeconds(left / batchRate)}`;
  const counts = `${group(done.batches)} of ${group(total)} batches`;
  const rate = `${group(sampleRate)} samples/s`;
  return `${label}  ${percent.toFixed(1).padStart(5)} %  ${counts}  ${rate}  ${eta}`;
}

export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const minutes = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  return `${Math.floor(s / 3600)}h${minutes}m`;
}

function group(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
