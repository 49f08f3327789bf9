#!/usr/bin/env bash
# Install + train Rasa (cached), then serve it on 127.0.0.1:$RASA_PORT with a token and wait until ready.
#
#   bash .ci/rasa-setup.sh          # setup + start + wait; exit 0 once /status answers (also if already up)
#   bash .ci/rasa-setup.sh stop     # stop the server started here (pid from the pid file)
#
# CI runs it in the background (`bash .ci/rasa-setup.sh & RASA_JOB=$!`), runs the fast tests meanwhile, then
# `wait $RASA_JOB && source "$RASA_STATE_DIR/rasa.env" && pytest -m rasa`. Everything is logged under
# $RASA_STATE_DIR: setup.log, serve.log, rasa.pid, rasa.env (ANJU_TEST_RASA_URL/TOKEN), and a `ready` or
# `failed` marker. From scratch: ~1.5 min install + training (see benchmarks/results/rasa.md); cached: seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${RASA_PORT:-5005}"
TOKEN="${ANJU_NLU__RASA_TOKEN:-anju-dev-token}"
STATE_DIR="${RASA_STATE_DIR:-$ROOT/data/rasa-ci}"
# Models are keyed by a hash of (training data + config), so a shared cache outside the clone is safe and
# lets CI runs on the same machine skip training.
MODEL_DIR="${ANJU_RASA_MODEL_DIR:-$HOME/.cache/anju/rasa-models}"
VENV_DIR="${ANJU_RASA_VENV:-$HOME/.cache/anju/rasa-venv}"
READY_TIMEOUT_S="${RASA_READY_TIMEOUT_S:-300}"
URL="http://127.0.0.1:$PORT"

mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
PID_FILE="$STATE_DIR/rasa.pid"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY="$(command -v python3)"

log() { echo "$(date '+%F %T') rasa-setup: $*" | tee -a "$STATE_DIR/setup.log" >&2; }

# Prints the model file the server on $URL has loaded; fails when nothing with our token answers.
served_model() {
  "$PY" - "$URL" "$TOKEN" <<'EOF'
import json, sys, urllib.parse, urllib.request
url, token = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(f"{url}/status?" + urllib.parse.urlencode({"token": token}), timeout=3) as r:
        model = json.load(r).get("model_file")
except Exception:
    sys.exit(1)
print(model or "")
sys.exit(0 if model else 1)
EOF
}
status_ok() { served_model >/dev/null; }

stop_server() {
  if [ -f "$PID_FILE" ]; then
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping rasa (pid $pid)"
      kill "$pid" || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" || true
    fi
    rm -f "$PID_FILE"
  fi
  rm -f "$STATE_DIR/ready"
}

if [ "${1:-}" = "stop" ]; then
  stop_server
  exit 0
fi

rm -f "$STATE_DIR/ready" "$STATE_DIR/failed"
trap 'touch "$STATE_DIR/failed"; log "FAILED (see $STATE_DIR/setup.log and serve.log)"' ERR

# The `anju` CLI when the lead has wired `anju nlu rasa-*`, else the module's own entry point.
if [ -x "$ROOT/.venv/bin/anju" ] && "$ROOT/.venv/bin/anju" nlu rasa-setup --help >/dev/null 2>&1; then
  CLI=("$ROOT/.venv/bin/anju" nlu)
else
  CLI=("$PY" -m nlu.rasa_setup)
fi

cd "$ROOT"
started=$(date +%s)
log "setup: venv $VENV_DIR, models $MODEL_DIR (${CLI[*]})"
"${CLI[@]}" rasa-setup --venv "$VENV_DIR" --model-dir "$MODEL_DIR" >"$STATE_DIR/setup.out" 2>>"$STATE_DIR/setup.log"
MODEL="$(tail -1 "$STATE_DIR/setup.out")"
log "setup done in $(( $(date +%s) - started )) s: $MODEL"

printf 'export ANJU_TEST_RASA_URL=%q\nexport ANJU_TEST_RASA_TOKEN=%q\n' "$URL" "$TOKEN" >"$STATE_DIR/rasa.env"

if current="$(served_model)"; then
  if [ "$current" = "$(basename "$MODEL")" ]; then
    log "a Rasa server already serves $current on $URL: not starting another"
    touch "$STATE_DIR/ready"
    exit 0
  fi
  log "the server on $URL serves $current, not $(basename "$MODEL"): restarting it"
fi
stop_server
if status_ok; then
  log "a Rasa server not started by this script holds $URL (no pid in $PID_FILE): stop it first"
  false
fi

served=$(date +%s)
ANJU_NLU__RASA_TOKEN="$TOKEN" setsid nohup "${CLI[@]}" rasa-serve --port "$PORT" --venv "$VENV_DIR" \
  --model "$MODEL" >>"$STATE_DIR/serve.log" 2>&1 </dev/null &
echo $! >"$PID_FILE"
log "rasa-serve started (pid $(cat "$PID_FILE")), waiting for $URL/status"

until status_ok; do
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    log "rasa-serve exited early; last lines of serve.log:"
    tail -20 "$STATE_DIR/serve.log" >&2
    false
  fi
  if [ $(( $(date +%s) - served )) -ge "$READY_TIMEOUT_S" ]; then
    log "not ready after ${READY_TIMEOUT_S} s"
    false
  fi
  sleep 2
done
log "ready on $URL in $(( $(date +%s) - served )) s (total $(( $(date +%s) - started )) s)"
touch "$STATE_DIR/ready"
