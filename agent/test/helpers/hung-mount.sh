#!/bin/sh
# Runs the agent beside a mount whose statfs never answers. Must run inside a private mount
# namespace (unshare -m --propagation private), which test/hung-mount.test.ts provides: the
# FUSE mount then exists only here and vanishes with the namespace.
#   hung-mount.sh WORKDIR MOUNTPOINT AGENT_BIN DAEMON_CONFIG ONCE_CONFIG
# Writes into WORKDIR: daemon.log, once.json, once.err, once.exit, timings (name=epoch ms).
set -u
work=$1 mnt=$2 agent=$3 daemon_config=$4 once_config=$5
here=$(dirname "$0")
conn=''
server=''
daemon=''
once=''

stamp() { echo "$1=$(($(date +%s%N) / 1000000))" >> "$work/timings"; }

# Waits up to 20 s for a line of file $1 to match pattern $2.
wait_for() {
  i=0
  while ! grep -q "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then echo "timed out waiting for $2 in $1" >&2; return 1; fi
    sleep 0.1
  done
}

# Whatever happened, abort the FUSE connection first: that wakes every statfs still waiting on
# it (they wait uninterruptibly, as on a hung NFS server, so no signal would end them), then
# the processes this script started are ended by PID.
cleanup() {
  [ -n "$conn" ] && echo 1 > "/sys/fs/fuse/connections/$conn/abort"
  for pid in $daemon $once $server; do kill "$pid" 2>/dev/null; done
  wait
  umount -l "$mnt" 2>/dev/null
}
trap cleanup EXIT

python3 "$here/fuse-hang.py" "$mnt" > "$work/fuse.out" 2>&1 &
server=$!
wait_for "$work/fuse.out" '^mounted ' || exit 3
conn=$(sed -n 's/^mounted [0-9]*://p' "$work/fuse.out")
grep -q ' /sys/fs/fuse/connections ' /proc/self/mountinfo ||
  mount -t fusectl fusectl /sys/fs/fuse/connections || exit 3

# The daemon at a 1 s interval for about four cycles, then a clean stop. Its process can only
# end once the connection is aborted (a thread of it is still in statfs), so the log line says
# when it is done.
stamp daemon_start
"${NODE:-node}" "$agent" -c "$daemon_config" > "$work/daemon.log" 2>&1 &
daemon=$!
sleep 4.5
kill -TERM "$daemon"
wait_for "$work/daemon.log" '"msg":"agent stopped"' || exit 4
stamp daemon_stopped

# --once: done when its JSON document is complete (the last line of printJson is "}").
stamp once_start
"${NODE:-node}" "$agent" --once --json -c "$once_config" > "$work/once.json" 2> "$work/once.err" &
once=$!
wait_for "$work/once.json" '^}$' || exit 5
stamp once_printed
# Whether the agent's processes end while the mount still hangs. A thread in statfs on this
# FUSE mount cannot be ended before the abort, so "ended" means that nothing else of the process
# is left: gone, or its main thread a zombie waiting for that one thread.
ended() {
  [ ! -e "/proc/$1" ] && return 0
  state=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
  [ "$state" = Z ]
}
i=0
while ! { ended "$once" && ended "$daemon"; } && [ $i -lt 50 ]; do
  i=$((i + 1))
  sleep 0.1
done
ended "$once" && stamp once_ended_before_abort
ended "$daemon" && stamp daemon_ended_before_abort

echo 1 > "/sys/fs/fuse/connections/$conn/abort"
conn=''
wait "$once"
echo $? > "$work/once.exit"
once=''
wait "$daemon"
daemon=''
stamp processes_ended
