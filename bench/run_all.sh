#!/usr/bin/env bash
# Runs every benchmark against a release build and prints the figures for docs/benchmarks.md.
# Not a test: slow machines never fail anything here.
set -euo pipefail
build=${1:-build/release}
root=$(cd "$(dirname "$0")/.." && pwd)
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== sequencer (no-op module, 200-byte transactions, synced blocks)"
"$build/bench/hm_bench_sequencer"
echo "== HTTPS /healthz"
"$root/bench/http_bench.sh" "$build" 15
echo "== CT log core (module level)"
"$build/bench/hm_bench_ct"
echo "== TrustChain over HTTPS: hybrid issuance and CT add-chain"
"$root/bench/trustchain_bench.sh" "$build" 20
echo "== TrustChain DNS vs Knot DNS (dnsperf, UDP, one worker each)"
"$root/bench/dns_vs_knot.sh" "$build" 10
echo "== STOQ bulk goodput, one connection on [::1] (vs ngtcp2 example pair, vs TLS/TCP)"
"$root/bench/stoq_bulk.sh" "$build"
# The issue's 100,000 idle connections: ~7 GB in the node and ~6 GB in the load generator,
# about 4 minutes to set up; then 20,000 idle stoq/1 connections and 20,000 on gtlsserver.
"$root/bench/stoq_rpc.sh" "$build" 10000 3000 100000 20000
echo "== The public-key work of one stoq/1 handshake, per side (one core)"
taskset -c 0 "$build/bench/hm_bench_handshake_floor"
echo "== Falcon (one core)"
taskset -c 0 "$build/bench/hm_bench_falcon" --benchmark_min_time=1 2>/dev/null || "$build/bench/hm_bench_falcon"
if [ -x "$build/bench/hm_bench_mlkem" ]; then
  echo "== ML-KEM (one core)"
  taskset -c 0 "$build/bench/hm_bench_mlkem" --benchmark_min_time=1
fi
echo "== openssl speed (same run, one core)"
taskset -c 0 openssl speed -seconds 3 ecdsap256 ed25519 2>/dev/null | tail -6
