# Shared helpers for the system tests: start and stop a real hypermeshd, and assertions.
# Sourced by tests/system/*_test.sh. Needs HMD (hypermeshd) and HM (hm) paths in the environment.
set -euo pipefail

: "${HMD:?HMD must point at the hypermeshd binary}"
: "${HM:?HM must point at the hm binary}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

TEST_TMP=$(mktemp -d /tmp/hm-system.XXXXXX)
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then kill -KILL "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$TEST_TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$TEST_TMP/node.log" ] && tail -20 "$TEST_TMP/node.log" >&2; exit 1; }
ok() { echo "  ok: $*"; }

# start_node DATA_DIR [extra hypermeshd args...]: starts a dev node on a free port; sets NODE_PID,
# NODE_PORT, NODE_CERT (the TrustChain root to trust), NODE_URL, DNS_PORT (classic DNS, UDP+TCP)
# and NODE_LABEL (first 16 hex of the node id). Waits until it listens. NODE_WRAP, if set, is a
# command prefix (e.g. "ip netns exec NS") that execs the daemon in place.
start_node() {
  local dir=$1; shift
  : >"$TEST_TMP/node.log"
  ${NODE_WRAP:-} "$HMD" --dev --data-dir "$dir" --port 0 --dns-port 0 "$@" >"$TEST_TMP/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 300); do
    if grep -q 'listening on https://' "$TEST_TMP/node.log"; then break; fi
    kill -0 "$NODE_PID" 2>/dev/null || fail "hypermeshd exited during start-up"
    sleep 0.1
  done
  NODE_PORT=$(sed -nE 's/.*listening on https:\/\/\[[^]]*\]:([0-9]+).*/\1/p' "$TEST_TMP/node.log" | head -1)
  [ -n "$NODE_PORT" ] || fail "hypermeshd did not report its port"
  # The TrustChain root the node's TLS certificate chains to (tls/root.pem).
  NODE_CERT=$(sed -nE 's/^TLS certificate .* \(root: (.*)\)$/\1/p' "$TEST_TMP/node.log" | head -1)
  NODE_URL="https://[::1]:$NODE_PORT"
  DNS_PORT=$(sed -nE 's/^DNS for .* on \[[^]]*\]:([0-9]+) .*/\1/p' "$TEST_TMP/node.log" | head -1)
  NODE_LABEL=$(sed -nE 's/.*\(node id ([0-9a-f]+)\).*/\1/p' "$TEST_TMP/node.log" | head -1)
}

# stop_node [SIGNAL]: stops the node (default SIGTERM) and checks it exits 0 for SIGTERM/SIGINT.
stop_node() {
  local sig=${1:-TERM}
  kill -"$sig" "$NODE_PID"
  local rc=0
  wait "$NODE_PID" || rc=$?
  NODE_PID=""
  if [ "$sig" != KILL ] && [ $rc -ne 0 ]; then fail "hypermeshd exited $rc after SIG$sig"; fi
  return 0
}

# hcurl PATH [curl args...]: HTTPS request to the node trusting its certificate.
hcurl() {
  local path=$1; shift
  curl -sS --cacert "$NODE_CERT" --max-time 10 "$@" "$NODE_URL$path"
}

# expect_status CODE PATH [curl args...]: asserts the HTTP status; leaves the body in $BODY.
expect_status() {
  local want=$1 path=$2; shift 2
  local out
  out=$(hcurl "$path" -o "$TEST_TMP/body" -w '%{http_code}' "$@") || fail "curl $path failed"
  BODY=$(cat "$TEST_TMP/body")
  [ "$out" = "$want" ] || fail "$path: HTTP $out, expected $want (body: $BODY)"
}

# expect_json_error CODE ERRCODE PATH [curl args...]: a JSON {code, message} error.
expect_json_error() {
  local want=$1 code=$2 path=$3; shift 3
  expect_status "$want" "$path" "$@"
  [ "$(jq -r .code <<<"$BODY")" = "$code" ] || fail "$path: error code $(jq -r .code <<<"$BODY"), expected $code"
  [ -n "$(jq -r '.message // empty' <<<"$BODY")" ] || fail "$path: error without a message"
}
