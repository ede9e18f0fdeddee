#!/usr/bin/env bash
# STOQ under network faults, in two network namespaces this test creates (veth pair, IPv6 ULA
# fd00:686d::/64, nothing else reachable): the node serves in one, gtlsclient downloads 64 MB from
# the other; ip6tables drops the link mid-transfer for 2 s (less than the 5 s idle timeout) and the transfer still completes
# byte-exact; then a client whose packets are dropped for good is timed out by the node's idle
# timeout (hm_stoq_connections falls back to 0). Needs root (CAP_NET_ADMIN), as CI has.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || fail "needs root for network namespaces (ip netns)"
NA=hmsa$$ NB=hmsb$$ VA=hmva$$ VB=hmvb$$
A_ADDR=fd00:686d::1 B_ADDR=fd00:686d::2
netns_cleanup() {
  ip netns del "$NA" 2>/dev/null || true
  ip netns del "$NB" 2>/dev/null || true
  cleanup
}
trap netns_cleanup EXIT
ip netns add "$NA" && ip netns add "$NB" || fail "cannot create network namespaces"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$NA"
ip link set "$VB" netns "$NB"
ip -n "$NA" addr add "$A_ADDR/64" dev "$VA" nodad
ip -n "$NB" addr add "$B_ADDR/64" dev "$VB" nodad
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set "$VA" up
ip -n "$NB" link set "$VB" up
ip netns exec "$NB" python3 -c "import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.connect((\"$A_ADDR\", 9))" \
  || fail "veth link does not work"
ok "namespaces $NA <-> $NB over a veth pair ($A_ADDR, $B_ADDR)"

D=$TEST_TMP/netns
mkdir -p "$D/dl"
cat >"$D/node.toml" <<TOML
[stoq]
idle_timeout_s = 5
TOML
NODE_WRAP="ip netns exec $NA" start_node "$D/data" --listen "$A_ADDR" --config "$D/node.toml"
NODE_URL="https://[$A_ADDR]:$NODE_PORT"
inb() { ip netns exec "$NB" "$@"; }
metric() { inb curl -sS --cacert "$NODE_CERT" --max-time 5 "$NODE_URL/metrics" \
             | sed -nE "s/^$1 ([0-9.e+]+)$/\\1/p"; }

# --- A link outage mid-transfer -------------------------------------------------------------------
N=67108864
(cd "$D" && timeout 120 ip netns exec "$NB" gtlsclient -q --exit-on-all-streams-close \
   --download="$D/dl" "$A_ADDR" "$NODE_PORT" "https://[$A_ADDR]:$NODE_PORT/api/v1/bench/bytes/$N") \
   >"$D/gtls.log" 2>&1 &
xfer=$!
for _ in $(seq 1 100); do [ -s "$D/dl/$N" ] && break; sleep 0.05; done
inb ip6tables -A INPUT -s "$A_ADDR" -j DROP
inb ip6tables -A OUTPUT -d "$A_ADDR" -j DROP
sleep 2
before=$(stat -c %s "$D/dl/$N" 2>/dev/null || echo 0)
inb ip6tables -F
wait $xfer || fail "transfer after the outage failed: $(tail -5 "$D/gtls.log")"
[ "$(stat -c %s "$D/dl/$N")" = "$N" ] || fail "transfer incomplete after the outage"
cmp -s "$D/dl/$N" <(python3 -c "
import sys; b=bytes(i % 251 for i in range(251*4096)); n=$N
while n: k=min(n,len(b)); sys.stdout.buffer.write(b[:k]); n-=k") || fail "transfer differs after the outage"
ok "link dropped for 2 s at $before bytes; 64 MB transfer resumed and completed byte-exact"

# --- An idle (vanished) peer is timed out -----------------------------------------------------
(cd "$D" && timeout 30 ip netns exec "$NB" gtlsclient -q --timeout=60s "$A_ADDR" "$NODE_PORT" \
   "https://[$A_ADDR]:$NODE_PORT/healthz") >"$D/idle.log" 2>&1 &
idle=$!
for _ in $(seq 1 50); do
  [ "$(metric hm_stoq_connections)" = 1 ] && break
  sleep 0.1
done
[ "$(metric hm_stoq_connections)" = 1 ] || fail "the idle client's connection was not seen"
inb ip6tables -A INPUT -s "$A_ADDR" -p udp -j DROP
inb ip6tables -A OUTPUT -d "$A_ADDR" -p udp -j DROP
gone=""
for _ in $(seq 1 120); do
  if [ "$(metric hm_stoq_connections)" = 0 ]; then gone=1; break; fi
  sleep 0.1
done
inb ip6tables -F
kill "$idle" 2>/dev/null || true
[ -n "$gone" ] || fail "the vanished peer was not timed out (hm_stoq_connections=$(metric hm_stoq_connections))"
ok "a peer that went silent was closed by the 5 s idle timeout"

stop_node TERM
echo "stoq_netns_test: all passed"
