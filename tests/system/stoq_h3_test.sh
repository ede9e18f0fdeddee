#!/usr/bin/env bash
# STOQ HTTP/3 on a running hypermeshd with a QUIC stack we did not write: Debian's gtlsclient
# (ngtcp2's example client, GnuTLS) fetches /api/v1/status and a 100 MB object byte-exact; a flood
# of malformed datagrams (random bytes, truncated headers, oversized) hits the UDP port during a
# transfer, which still completes, and the node keeps serving HTTP/3 and HTTPS; SIGTERM drains
# and exits 0.
source "$(dirname "$0")/lib.sh"

D=$TEST_TMP/h3
mkdir -p "$D/dl"
start_node "$D/data"
grep -q "QUIC (HTTP/3) on \[::1\]:$NODE_PORT/udp" "$TEST_TMP/node.log" || fail "no QUIC listener reported"

h3get() {  # h3get PATH: gtlsclient download into $D/dl
  (cd "$D" && timeout 120 gtlsclient -q --exit-on-all-streams-close --download="$D/dl" \
     ::1 "$NODE_PORT" "https://[::1]:$NODE_PORT$1") >"$D/gtls.log" 2>&1
}

# --- /api/v1/status over HTTP/3 -----------------------------------------------------------------
h3get /api/v1/status || fail "gtlsclient /api/v1/status: $(tail -5 "$D/gtls.log")"
[ -f "$D/dl/status" ] || fail "gtlsclient saved no body"
[ "$(jq -r .node_id "$D/dl/status" | cut -c1-16)" = "$NODE_LABEL" ] \
  || fail "HTTP/3 status is not this node's: $(cat "$D/dl/status")"
ok "gtlsclient (ngtcp2 + GnuTLS) GET /api/v1/status over HTTP/3"

# --- 100 MB byte-exact ----------------------------------------------------------------------------
N=104857600
want=$(python3 -c "
import hashlib,sys
n=$N; block=bytes(i % 251 for i in range(251*4096)); h=hashlib.sha256(); left=n
while left: k=min(left,len(block)); h.update(block[:k]); left-=k
print(h.hexdigest())")
start=$(date +%s.%N)
h3get /api/v1/bench/bytes/$N || fail "gtlsclient 100 MB: $(tail -5 "$D/gtls.log")"
secs=$(python3 -c "print(round($(date +%s.%N)-$start,2))")
[ "$(stat -c %s "$D/dl/$N")" = "$N" ] || fail "100 MB object has $(stat -c %s "$D/dl/$N") bytes"
[ "$(sha256sum "$D/dl/$N" | cut -d' ' -f1)" = "$want" ] || fail "100 MB object differs from the pattern"
rm -f "$D/dl/$N"
ok "gtlsclient fetched 100 MB over HTTP/3 byte-exact (${secs}s, debug+ASan build)"

# --- Malformed datagrams during a transfer ----------------------------------------------------------
(cd "$D" && timeout 180 gtlsclient -q --exit-on-all-streams-close --download="$D/dl" \
   ::1 "$NODE_PORT" "https://[::1]:$NODE_PORT/api/v1/bench/bytes/33554432") >"$D/gtls-flood.log" 2>&1 &
xfer=$!
python3 - "$NODE_PORT" <<'PY'
import os, random, socket, sys
port = int(sys.argv[1]); random.seed(11)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
def send(b):
    try: s.sendto(b, ("::1", port))
    except OSError: pass
for i in range(20000):
    k = i % 5
    if k == 0: send(os.urandom(random.randint(1, 1500)))                     # random bytes
    elif k == 1: send(bytes([0xc0 | random.randint(0, 63)]) + os.urandom(random.randint(0, 20)))  # truncated long header
    elif k == 2: send(b"\xc0\x00\x00\x00\x01" + os.urandom(random.randint(0, 40)))          # truncated Initial
    elif k == 3: send(bytes([0x40 | random.randint(0, 63)]) + os.urandom(random.randint(20, 100)))  # short header, unknown CID
    else: send(b"\xc0\x00\x00\x00\x01\x08" + os.urandom(9) + os.urandom(60000))            # oversized
PY
wait $xfer || fail "transfer during the flood failed: $(tail -5 "$D/gtls-flood.log")"
[ "$(stat -c %s "$D/dl/33554432")" = 33554432 ] || fail "transfer during the flood is incomplete"
kill -0 "$NODE_PID" || fail "hypermeshd died in the flood"
h3get /api/v1/status || fail "HTTP/3 after the flood: $(tail -5 "$D/gtls.log")"
expect_status 200 /healthz
metrics=$(hcurl /metrics)
dropped=$(sed -nE 's/^hm_stoq_events\{event="datagram_dropped"\} ([0-9.e+]+)$/\1/p' <<<"$metrics")
resets=$(sed -nE 's/^hm_stoq_events\{event="stateless_reset"\} ([0-9.e+]+)$/\1/p' <<<"$metrics")
python3 -c "import sys; sys.exit(0 if float('${dropped:-0}') > 1000 else 1)" \
  || fail "hm_stoq_events datagram_dropped is '${dropped}', expected the flood counted"
ok "20,000 malformed datagrams: 32 MB transfer completed, node still serves (dropped=$dropped, resets=$resets)"

# --- Graceful shutdown --------------------------------------------------------------------------
stop_node TERM
grep -q "QUIC server on port $NODE_PORT stopped" "$TEST_TMP/node.log" || fail "QUIC server did not report stopping"
ok "SIGTERM: QUIC server drained, exit 0"
echo "stoq_h3_test: all passed"
