// The collector and the agent that `npm start` runs. Whatever way the script ends once the
// collector has started (a step that fails, Ctrl-C, `kill`, an exception), they are stopped
// newest first, so the agent says goodbye before its collector goes, and no collector is left
// holding the port with nobody to stop it (the next start would then pick another port).

function isRunning(child) {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the child has exited. */
async function stopChild({ child, graceMs }) {
  if (!isRunning(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export class Children {
  #started = [];

  /** True once stopAll() has begun: the children are going, start nothing more. */
  stopping = false;

  constructor() {
    // The last net, for a way out that skipped stopAll(): 'exit' allows no waiting, so the
    // children only get their SIGTERM and finish their clean stop on their own.
    process.on('exit', () => {
      for (const { child } of this.#started) if (isRunning(child)) child.kill('SIGTERM');
    });
  }

  /** `graceMs`: how long its clean stop may take (a little over its own deadline). */
  add(name, child, graceMs) {
    this.#started.push({ name, child, graceMs });
    return child;
  }

  /** The order of stopAll(), as words: 'the agent, then the collector'. */
  describeStop() {
    return this.#started.map(({ name }) => `the ${name}`).reverse().join(', then ');
  }

  /** Stops every child still running, newest first, each waited for before the next. */
  async stopAll() {
    this.stopping = true;
    for (const entry of [...this.#started].reverse()) await stopChild(entry);
  }
}
