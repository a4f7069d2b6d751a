import type { Logger, WireEvent } from '@hostpulse/shared';
import type { CycleProblem } from './cycle.js';

// Sampler problems are logged and sent as events when they appear and when they clear, not
// every cycle in between: a stalled mount is two log lines, however long it stays stalled. A
// service check that is down is the same with events of its own (check_failed, then
// check_recovered), labelled { check, type } so that the collector's check_up alert can quote
// the reason; a new reason while still down is a new check_failed event. A sampler problem that
// explains one series (a backup older than max_age) carries that series' labels and metric, so
// the alert on it can quote the reason too.

export class ProblemTracker {
  private open = new Map<string, CycleProblem>();

  constructor(private readonly log: Logger) {}

  /** Takes this cycle's problems; returns the events for those that appeared or cleared. */
  update(problems: readonly CycleProblem[], timeMs: number): WireEvent[] {
    const now = new Map(problems.map((p) => [keyOf(p), p]));
    const events: WireEvent[] = [];
    for (const [key, problem] of now) {
      if (this.open.get(key)?.message === problem.message) continue;
      this.logAppeared(problem);
      events.push(event(problem, 'appeared', problem.message, timeMs));
    }
    for (const [key, problem] of this.open) {
      if (now.has(key)) continue;
      this.logCleared(problem);
      const message = `recovered from: ${problem.message}`;
      events.push(event(problem, 'cleared', message, timeMs));
    }
    this.open = now;
    return events;
  }

  private logAppeared(problem: CycleProblem): void {
    const { sampler, source, message, check } = problem;
    const checkFields = check ? { check: check.name, type: check.type } : undefined;
    if (checkFields) this.log.warn({ ...checkFields, reason: message }, 'check down');
    else this.log.warn({ sampler, source, reason: message }, 'sampler problem');
  }

  private logCleared(problem: CycleProblem): void {
    const { sampler, source, check } = problem;
    if (check) this.log.info({ check: check.name, type: check.type }, 'check up again');
    else this.log.info({ sampler, source }, 'sampler problem cleared');
  }
}

function keyOf(problem: CycleProblem): string {
  return problem.check
    ? `check\u0000${problem.check.name}`
    : `${problem.sampler}\u0000${problem.source}`;
}

function event(
  problem: CycleProblem,
  change: 'appeared' | 'cleared',
  message: string,
  timeMs: number,
): WireEvent {
  const { check } = problem;
  if (check) {
    const kind = change === 'appeared' ? 'check_failed' : 'check_recovered';
    return { timeMs, kind, labels: { check: check.name, type: check.type }, message };
  }
  const kind = change === 'appeared' ? 'sampler_problem' : 'sampler_recovered';
  const labels = { ...problem.explains, sampler: problem.sampler, source: problem.source };
  return { timeMs, kind, labels, message };
}
