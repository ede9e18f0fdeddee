#!/usr/bin/env bash
# dnsperf against hypermeshd's authoritative DNS and against Knot DNS (Debian `knot`), one after
# the other in one run, with the same zone and one UDP worker each. Prints queries/s, lost
# queries and the ratio, then p50/p99 latency of both at half of Knot's rate.
# Usage: bench/dns_vs_knot.sh [BUILD_DIR (default build/release)] [SECONDS per run (default 10)]
# Both servers run without response-rate limiting (Knot's default; ours is turned off in the
# config written here), because dnsperf sends everything from one address.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
secs=${2:-10}
names=${DNS_BENCH_NAMES:-500}
source "$root/bench/lib.sh"
command -v dnsperf >/dev/null || { echo "bench: dnsperf missing (scripts/setup)"; exit 1; }
command -v knotd >/dev/null || { echo "bench: knotd missing (scripts/setup)"; exit 1; }

free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Htuln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

# --- hypermeshd with the zone registered through the API -----------------------------------------
start_bench_node "$build"
cfg=$BENCH_TMP/dns.toml
kill "$BENCH_PID"; wait "$BENCH_PID" 2>/dev/null || true
HM_DNS_PORT=$(free_port)
cat >"$cfg" <<EOF
[dns]
port = $HM_DNS_PORT
udp_workers = 1
rrl_responses_per_second = 0
EOF
"$build/src/node/hypermeshd" --dev --data-dir "$BENCH_TMP/data" --port "$BENCH_PORT" \
  --config "$cfg" --log-level warn >"$BENCH_TMP/node.log" 2>&1 &
BENCH_PID=$!
for _ in $(seq 1 100); do grep -q 'listening on https://' "$BENCH_TMP/node.log" && break; sleep 0.1; done
grep -q "DNS for hypermesh on \[::1\]:$HM_DNS_PORT" "$BENCH_TMP/node.log" \
  || { echo "bench: hypermeshd DNS did not start"; cat "$BENCH_TMP/node.log"; exit 1; }
token=$(cat "$BENCH_TMP/data/keys/admin.token")
echo "registering $names AAAA records through POST /api/v1/dns/records ..."
: >"$BENCH_TMP/queries.txt"
zone_records=""
for i in $(seq 1 "$names"); do
  addr=$(printf '2001:db8::%x' "$i")
  curl -sS --fail --cacert "$BENCH_ROOT_PEM" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -o /dev/null \
    --data "{\"name\": \"host$i.hypermesh\", \"type\": \"AAAA\", \"ttl\": 300, \"records\": [\"$addr\"]}" \
    "https://[::1]:$BENCH_PORT/api/v1/dns/records"
  echo "host$i.hypermesh AAAA" >>"$BENCH_TMP/queries.txt"
  zone_records+="host$i 300 AAAA $addr"$'\n'
done
soa=$(dig @::1 -p "$HM_DNS_PORT" +short SOA hypermesh)
[ -n "$soa" ] || { echo "bench: hypermeshd does not answer SOA"; exit 1; }
check=$(dig @::1 -p "$HM_DNS_PORT" +short AAAA "host$names.hypermesh")
[ "$check" = "$(printf '2001:db8::%x' "$names")" ] || { echo "bench: record missing ($check)"; exit 1; }

# --- Knot with the same zone -------------------------------------------------------------------------
KNOT_PORT=$(free_port)
kdir=$BENCH_TMP/knot
mkdir -p "$kdir"
ns=$(awk '{print $1}' <<<"$soa")
{
  echo "\$ORIGIN hypermesh."
  echo "@ 3600 SOA $soa"
  echo "@ 3600 NS $ns"
  echo "$zone_records"
} >"$kdir/hypermesh.zone"
cat >"$kdir/knot.conf" <<EOF
server:
    rundir: "$kdir"
    listen: ::1@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$kdir"
zone:
  - domain: hypermesh
    storage: "$kdir"
    file: "hypermesh.zone"
log:
  - target: stderr
    any: warning
EOF
knotd -c "$kdir/knot.conf" >"$kdir/knot.log" 2>&1 &
KNOT_PID=$!
trap '[ -n "${KNOT_PID:-}" ] && kill "$KNOT_PID" 2>/dev/null; [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
for _ in $(seq 1 50); do dig @::1 -p "$KNOT_PORT" +short SOA hypermesh >/dev/null 2>&1 && break; sleep 0.1; done
[ "$(dig @::1 -p "$KNOT_PORT" +short AAAA "host$names.hypermesh")" = "$check" ] \
  || { echo "bench: knotd did not load the zone"; cat "$kdir/knot.log"; exit 1; }

# --- Throughput -------------------------------------------------------------------------------------------
# run_perf PORT [extra dnsperf args]: prints "qps lost" of one run.
run_perf() {
  local port=$1; shift
  local out
  out=$(dnsperf -s ::1 -p "$port" -d "$BENCH_TMP/queries.txt" -l "$secs" -c 4 -q 200 "$@" 2>&1)
  echo "$out" >>"$BENCH_TMP/dnsperf.log"
  awk '/Queries per second:/ {q=$4} /Queries lost:/ {l=$3} END {print q, l}' <<<"$out"
}
# p_latency PORT QPS: p50 and p99 (ms) from dnsperf's per-query verbose output at a fixed rate.
p_latency() {
  # Per-query lines go to a file first, so the reader of the pipe does not slow dnsperf down.
  dnsperf -s ::1 -p "$1" -d "$BENCH_TMP/queries.txt" -l "$secs" -c 4 -q 200 -Q "$2" -v \
    >"$BENCH_TMP/latency.txt" 2>/dev/null
  awk '$1 == ">" {print $NF}' "$BENCH_TMP/latency.txt" | sort -n \
    | awk '{a[NR] = $1}
           END {
             if (NR == 0) { print "n/a n/a"; exit }
             i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
             i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
             printf "%.3f %.3f\n", a[i50] * 1000, a[i99] * 1000
           }'
}

echo "dnsperf, ${secs} s per run, $names names, UDP, 1 worker each, 2 shared cores"
read -r knot_qps knot_lost < <(run_perf "$KNOT_PORT")
read -r hm_qps hm_lost < <(run_perf "$HM_DNS_PORT")
ratio=$(awk -v a="$hm_qps" -v b="$knot_qps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
printf '%-28s %12s q/s   lost %s\n' "Knot DNS $(knotd --version | awk '{print $NF}')" "$knot_qps" "$knot_lost"
printf '%-28s %12s q/s   lost %s\n' "hypermeshd" "$hm_qps" "$hm_lost"
printf '%-28s %12s x Knot (required >= 0.5, aim >= 1.0)\n' "ratio" "$ratio"

half=$(awk -v q="$knot_qps" 'BEGIN {printf "%d", q / 2}')
read -r k50 k99 < <(p_latency "$KNOT_PORT" "$half")
read -r h50 h99 < <(p_latency "$HM_DNS_PORT" "$half")
printf 'latency at %s q/s (half of Knot):\n' "$half"
printf '  %-26s p50 %8s ms   p99 %8s ms\n' "Knot DNS" "$k50" "$k99"
printf '  %-26s p50 %8s ms   p99 %8s ms  (required p99 < 1 ms)\n' "hypermeshd" "$h50" "$h99"
