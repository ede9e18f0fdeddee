#!/usr/bin/env bash
# stoq/1 between two nodes of one network (each trusts the other's TrustChain root through
# stoq.trusted_roots): `hm stoq ping` dials each node with the OTHER node's identity (its TLS
# certificate, key and Falcon-1024 key from its data directory). The post-quantum channel comes
# up and traffic moves to the mixed key generation on both sides (client output and the
# server's hm_stoq_pq_events). Refused, each with its code: a Falcon key other than the one in
# the certificate (kPqBadSignature), a certificate from a TrustChain the node does not trust
# (kPqBadCertificate). (A replayed transcript is refused in src/stoq/channel/channel_test.cc,
# over real sockets, where the test can record and replay stream 0.)
source "$(dirname "$0")/lib.sh"

D=$TEST_TMP/two
mkdir -p "$D"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; cleanup' EXIT

# start NAME [args]: a node; sets NAME_PORT, NAME_PID and keeps its log in $D/NAME.log.
start() {
  local name=$1; shift
  start_node "$D/$name" "$@"
  cp "$TEST_TMP/node.log" "$D/$name.start.log"
  PIDS+=("$NODE_PID")
  printf -v "${name}_PORT" %s "$NODE_PORT"
  printf -v "${name}_PID" %s "$NODE_PID"
  NODE_PID=""  # this script stops its nodes itself
}

config() {  # config FILE ROOT: a config trusting another node's root
  printf '[stoq]\ntrusted_roots = ["%s"]\n' "$2" >"$1"
}

# Node a first (creates its root), then b trusting a's root; then a again, trusting b's.
start a
kill "$a_PID"; wait "$a_PID" 2>/dev/null || true
config "$D/b.toml" "$D/a/tls/root.pem"
start b --config "$D/b.toml"
config "$D/a.toml" "$D/b/tls/root.pem"
start a --config "$D/a.toml"
grep -q "stoq/1" "$D/a.start.log" || fail "node a does not offer stoq/1: $(grep QUIC "$D/a.start.log")"

metric() {  # metric PORT NAME EVENT
  curl -sk "https://[::1]:$1/metrics" | sed -nE "s/^$2\{event=\"$3\"\} ([0-9.e+]+)$/\1/p"
}

# --- b's identity -> a, and a's identity -> b -----------------------------------------------
"$HM" stoq ping --data-dir "$D/b" --roots "$D/a/tls/root.pem" -c 3 --interval-ms 10 \
  "[::1]:$a_PORT" >"$D/ba.out" 2>&1 || fail "stoq ping b->a: $(cat "$D/ba.out")"
grep -q "post-quantum channel up" "$D/ba.out" || fail "no PQ channel reported: $(cat "$D/ba.out")"
grep -q "mixed key generation 2" "$D/ba.out" || fail "client did not move to the mixed keys: $(cat "$D/ba.out")"
[ "$(grep -c 'bytes from' "$D/ba.out")" = 3 ] || fail "expected 3 answers: $(cat "$D/ba.out")"
sleep 0.3  # metrics are published every 100 ms
[ "$(metric "$a_PORT" hm_stoq_pq_events established)" = 1 ] || fail "node a: PQ exchange not counted"
[ "$(metric "$a_PORT" hm_stoq_pq_events mixed_keys)" = 1 ] || fail "node a did not see the client move to the mixed keys"
ok "b's identity -> node a: PQ channel established, mixed key update seen by both sides"

"$HM" stoq ping --data-dir "$D/a" --roots "$D/b/tls/root.pem" -c 2 --interval-ms 10 \
  "[::1]:$b_PORT" >"$D/ab.out" 2>&1 || fail "stoq ping a->b: $(cat "$D/ab.out")"
sleep 0.3
[ "$(metric "$b_PORT" hm_stoq_pq_events mixed_keys)" = 1 ] || fail "node b did not see the mixed keys"
ok "a's identity -> node b: PQ channel established both ways"

# --- Wrong Falcon key: the signature does not match the key in the certificate -----------------
"$HM" key gen --alg falcon1024 --out "$D/other_falcon.pem" --pub-out "$D/other_falcon.pub" \
  >/dev/null 2>&1 || fail "hm key gen falcon1024"
rc=0
"$HM" stoq ping --data-dir "$D/b" --roots "$D/a/tls/root.pem" --falcon-key "$D/other_falcon.pem" \
  -c 1 "[::1]:$a_PORT" >"$D/wrongkey.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a wrong Falcon key was not refused (exit $rc): $(cat "$D/wrongkey.out")"
grep -q "kPqBadSignature" "$D/wrongkey.out" || fail "wrong key: unclear error: $(cat "$D/wrongkey.out")"
ok "a Falcon key other than the certified one is refused: $(tail -1 "$D/wrongkey.out" | cut -c1-110)"

# --- A node from another TrustChain ------------------------------------------------------------
start c
kill "${c_PID}"; wait "${c_PID}" 2>/dev/null || true
rc=0
"$HM" stoq ping --data-dir "$D/c" --roots "$D/a/tls/root.pem" -c 1 "[::1]:$a_PORT" \
  >"$D/foreign.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a foreign certificate was not refused (exit $rc): $(cat "$D/foreign.out")"
grep -q "kPqBadCertificate" "$D/foreign.out" || fail "foreign CA: unclear error: $(cat "$D/foreign.out")"
ok "a certificate from another TrustChain is refused: $(tail -1 "$D/foreign.out" | cut -c1-110)"
sleep 0.3
[ "$(metric "$a_PORT" hm_stoq_pq_events failed)" = 2 ] || fail "node a did not count 2 refused channels"
[ "$(metric "$a_PORT" hm_stoq_pq_events established)" = 1 ] || fail "a refused channel was counted as established"

# --- The client also checks the server: a's root does not vouch for b ------------------------------
rc=0
"$HM" stoq ping --data-dir "$D/b" --roots "$D/a/tls/root.pem" -c 1 "[::1]:$b_PORT" \
  >"$D/wrongroot.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "the client accepted a server outside its roots"
ok "the client refuses a server outside its roots: $(tail -1 "$D/wrongroot.out" | cut -c1-110)"

# --- hm stoq bench: handshake rate and idle connections, on stoq/1 and on h3 ----------------------
"$HM" stoq bench --data-dir "$D/b" --roots "$D/a/tls/root.pem" --handshakes 20 --concurrency 4 \
  "[::1]:$a_PORT" >"$D/bench_hs.out" 2>&1 || fail "stoq bench --handshakes: $(cat "$D/bench_hs.out")"
grep -q "20 of 20 stoq/1 connections secure" "$D/bench_hs.out" || fail "bench: $(cat "$D/bench_hs.out")"
"$HM" stoq bench --data-dir "$D/b" --roots "$D/a/tls/root.pem" --handshakes 20 --alpn h3 \
  "[::1]:$a_PORT" >"$D/bench_h3.out" 2>&1 || fail "stoq bench --alpn h3: $(cat "$D/bench_h3.out")"
grep -q "20 of 20 HTTP/3 connections" "$D/bench_h3.out" || fail "bench h3: $(cat "$D/bench_h3.out")"
"$HM" stoq bench --data-dir "$D/b" --roots "$D/a/tls/root.pem" --idle 10 --hold 0.5 --alpn stoq/1 \
  --server-pid "$a_PID" "[::1]:$a_PORT" >"$D/bench_idle.out" 2>&1 || fail "stoq bench --idle: $(cat "$D/bench_idle.out")"
grep -q "10 of 10 stoq/1 (PQ channel up) connections up .* 10 still up" "$D/bench_idle.out" \
  || fail "bench idle: $(cat "$D/bench_idle.out")"
grep -q "server RSS .* KiB per connection" "$D/bench_idle.out" || fail "bench idle: no server memory"
rc=0
"$HM" stoq bench --data-dir "$D/b" --handshakes 1 --alpn doq "[::1]:$a_PORT" >"$D/bench_bad.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q -- "--alpn" "$D/bench_bad.out" || fail "bench --alpn doq: exit $rc: $(cat "$D/bench_bad.out")"
ok "hm stoq bench: stoq/1 and h3 handshakes, idle stoq/1 connections with the node's memory; a bad --alpn is named"

for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
PIDS=()
echo "stoq_node_test: all passed"
