import type { Logger } from '@hostpulse/shared';

// The shipper's view of the collector, logged only when it changes: an unreachable collector is
// one warning and its return one info line, however many attempts failed in between.

export type Link = 'unknown' | 'up' | 'unreachable' | 'refused' | 'overloaded' | 'failing';

export class LinkState {
  private link: Link = 'unknown';
  private detail = '';
  private since = 0;
  private failedAttempts = 0;

  constructor(
    private readonly log: Logger,
    private readonly url: string,
    private readonly now: () => number,
  ) {}

  get current(): Link {
    return this.link;
  }

  up(): void {
    if (this.link !== 'up') {
      const fields = { url: this.url, failedAttempts: this.failedAttempts, downForMs: this.now() - this.since };
      if (this.link === 'unknown') this.log.info({ url: this.url }, 'collector reachable');
      else this.log.info(fields, 'collector accepts batches again');
    }
    this.enter('up', '');
  }

  down(link: Exclude<Link, 'unknown' | 'up'>, detail: string, fields: Record<string, unknown> = {}): void {
    this.failedAttempts += 1;
    if (link === this.link && detail === this.detail) return;
    const all = { url: this.url, reason: detail, ...fields };
    if (link === 'refused') this.log.error(all, 'collector refused the agent token; buffering and retrying slowly');
    else if (link === 'unreachable') this.log.warn(all, 'collector unreachable; buffering and retrying');
    else if (link === 'overloaded') this.log.warn(all, 'collector overloaded; backing off');
    else this.log.warn(all, 'collector answered an error; buffering and retrying');
    this.enter(link, detail);
  }

  private enter(link: Link, detail: string): void {
    const wasHealthy = this.link === 'up' || this.link === 'unknown';
    if (link !== 'up' && wasHealthy) this.since = this.now();
    if (link === 'up') this.failedAttempts = 0;
    this.link = link;
    this.detail = detail;
  }
}
