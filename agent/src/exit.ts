// How the agent process ends. process.exit() joins libuv's worker threads before the process
// goes, and a statfs or read stuck on a hung mount holds one of them: the agent would print
// its report or finish its clean stop, then hang as long as the mount does. So when a file
// request is still pending at exit (once the agent has written out all it means to, nothing
// else of the agent's can be), the process ends by its own SIGTERM instead: the kernel then
// ends every thread without that join. A thread waiting on a hard NFS mount is killable and
// goes; one on a FUSE server that took the request can only go when its connection is aborted
// (the process stays a zombie until then, with nothing left running).
// The price: the exit status is "killed by SIGTERM" (143 in a shell) instead of the code, which
// systemd counts as a clean stop and a script checking for non-zero still sees as a failure.

const PENDING_FILE_REQUESTS = new Set(['FSReqCallback', 'FSReqPromise']);
// The logger writes to stdout with fs.write, so its last lines are file requests too; they end
// within milliseconds, a statfs on a hung mount never. Pending requests are given this long.
const DRAIN_MS = 500;
const POLL_MS = 10;

/** True when a file system request of this process has not returned yet. */
export function hasPendingFileRequests(): boolean {
  return process.getActiveResourcesInfo().some((kind) => PENDING_FILE_REQUESTS.has(kind));
}

/** Ends the process with `code`, or by its own SIGTERM when a file request stays stuck. */
export function exitProcess(code: number): void {
  const deadline = Date.now() + DRAIN_MS;
  const attempt = (): void => {
    if (!hasPendingFileRequests()) {
      process.exit(code);
      return;
    }
    if (Date.now() < deadline) {
      setTimeout(attempt, POLL_MS);
      return;
    }
    // Without listeners SIGTERM takes its default action, which ends the process at once.
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, 'SIGTERM');
  };
  attempt();
}
