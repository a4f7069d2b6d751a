import type { Logger, WireEvent } from '@hostpulse/shared';
import type { CycleProblem } from './cycle.js';

// Sampler problems are logged and sent as events when they appear and when they clear, not
// every cycle in between: a stalled mount is two log lines, however long it stays stalled.

export class ProblemTracker {
  private open = new Map<string, CycleProblem>();

  constructor(private readonly log: Logger) {}

  /** Takes this cycle's problems; returns the events for those that appeared or cleared. */
  update(problems: readonly CycleProblem[], timeMs: number): WireEvent[] {
    const now = new Map(problems.map((p) => [`${p.sampler}\u0000${p.source}`, p]));
    const events: WireEvent[] = [];
    for (const [key, problem] of now) {
      if (this.open.get(key)?.message === problem.message) continue;
      const { sampler, source, message } = problem;
      this.log.warn({ sampler, source, reason: message }, 'sampler problem');
      events.push(event('sampler_problem', problem, problem.message, timeMs));
    }
    for (const [key, problem] of this.open) {
      if (now.has(key)) continue;
      const { sampler, source } = problem;
      this.log.info({ sampler, source }, 'sampler problem cleared');
      const message = `recovered from: ${problem.message}`;
      events.push(event('sampler_recovered', problem, message, timeMs));
    }
    this.open = now;
    return events;
  }
}

function event(kind: string, problem: CycleProblem, message: string, timeMs: number): WireEvent {
  return { timeMs, kind, labels: { sampler: problem.sampler, source: problem.source }, message };
}
