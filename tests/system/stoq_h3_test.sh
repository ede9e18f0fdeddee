#!/usr/bin/env bash
# STOQ HTTP/3 on a running hypermeshd with a QUIC stack we did not write: Debian's gtlsclient
# (ngtcp2's example client, GnuTLS) fetches /api/v1/status and a 100 MB object byte-exact; a flood
# of malformed datagrams (random bytes, truncated headers, oversized) hits the UDP port during a
# transfer, which still completes, and the node keeps serving HTTP/3 and HTTPS; SIGTERM drains
# and exits 0. Our own HTTP/3 client (`hm get --h3`) verifies the node against its TrustChain root
# and fetches a file from Debian's gtlsserver (ngtcp2's example server) byte-exact.
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

# --- hm get --h3: our client against the node (TrustChain root) and against gtlsserver ----------
"$HM" get --h3 --cacert "$D/data/tls/root.pem" -o "$D/status.json" \
  "https://[::1]:$NODE_PORT/api/v1/status" 2>"$D/hmget.err" || fail "hm get --h3: $(cat "$D/hmget.err")"
[ "$(jq -r .node_id "$D/status.json" | cut -c1-16)" = "$NODE_LABEL" ] || fail "hm get --h3 status is not this node's"
ok "hm get --h3 verifies the node's certificate against its TrustChain root"

G=$D/gtlsserver
mkdir -p "$G/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=interop CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
  -keyout "$G/ca.key" -out "$G/ca.pem" 2>/dev/null || fail "openssl: test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=::1" \
  -keyout "$G/leaf.key" -out "$G/leaf.csr" 2>/dev/null || fail "openssl: leaf key"
printf 'subjectAltName=IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$G/ext"
openssl x509 -req -in "$G/leaf.csr" -CA "$G/ca.pem" -CAkey "$G/ca.key" -CAcreateserial -days 1 \
  -extfile "$G/ext" -out "$G/leaf.pem" 2>/dev/null || fail "openssl: leaf certificate"
head -c 5000000 /dev/urandom >"$G/www/blob"
GPORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1",0)); print(s.getsockname()[1])')
gtlsserver -q -d "$G/www" ::1 "$GPORT" "$G/leaf.key" "$G/leaf.pem" >"$G/server.log" 2>&1 &
GPID=$!
trap 'kill $GPID 2>/dev/null || true; cleanup' EXIT
fetched=""
for _ in $(seq 50); do  # until the server is listening
  if "$HM" get --h3 --cacert "$G/ca.pem" --timeout 2 -o "$G/blob.out" "https://[::1]:$GPORT/blob" 2>"$G/get.err"; then
    fetched=1; break
  fi
  sleep 0.1
done
[ -n "$fetched" ] || fail "hm get --h3 from gtlsserver: $(cat "$G/get.err")"
cmp -s "$G/www/blob" "$G/blob.out" || fail "hm get --h3 from gtlsserver: the file differs"
ok "hm get --h3 fetched 5 MB from Debian's gtlsserver byte-exact"
rc=0; "$HM" get --h3 --cacert "$D/data/tls/root.pem" --timeout 5 -o /dev/null \
  "https://[::1]:$GPORT/blob" 2>"$G/wrongca.err" || rc=$?
[ "$rc" != 0 ] || fail "hm get --h3 accepted gtlsserver's certificate under the wrong CA"
grep -q "not trusted" "$G/wrongca.err" || fail "wrong CA error is unclear: $(cat "$G/wrongca.err")"
ok "hm get --h3 refuses a server its CA did not sign (exit $rc: $(head -c 120 "$G/wrongca.err"))"
kill $GPID 2>/dev/null; wait $GPID 2>/dev/null || true

# --- Graceful shutdown --------------------------------------------------------------------------
stop_node TERM
grep -q "QUIC server on port $NODE_PORT stopped" "$TEST_TMP/node.log" || fail "QUIC server did not report stopping"
ok "SIGTERM: QUIC server drained, exit 0"
echo "stoq_h3_test: all passed"
