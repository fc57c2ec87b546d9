# Sourced by the scripts that run a server in the background (jaeger.sh, kafka.sh): its pid file.

# pid_running <pid file>: prints the pid and succeeds when the process it names is alive.
pid_running() {
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# pid_stop <pid file> <name> [tenths of a second to wait]: SIGTERM, then SIGKILL once the wait
# is over; removes the pid file; says what it did.
pid_stop() {
  local pid
  if ! pid="$(pid_running "$1")"; then
    rm -f "$1"
    echo "$2 not running"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 "${3:-100}"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
  echo "$2 stopped pid=$pid"
}

# pid_status <pid file> <name> <details>: "<name> running pid=<pid> <details>" (exit 0), or
# "<name> stopped" (exit 3).
pid_status() {
  local pid
  if pid="$(pid_running "$1")"; then
    echo "$2 running pid=$pid $3"
    return 0
  fi
  echo "$2 stopped"
  return 3
}
