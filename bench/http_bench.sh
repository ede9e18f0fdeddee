#!/usr/bin/env bash
# /healthz over HTTPS (TLS 1.3, keep-alive) with wrk against a release hypermeshd --dev.
#  1. paced: 10 connections x 1 request per 10 ms (about 1,000 req/s) -> p99 latency
#  2. flat out: 50 connections -> requests/s and p99
# Usage: bench/http_bench.sh [RELEASE_BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build/release}
secs=${2:-15}
source "$(dirname "$0")/lib.sh"
start_bench_node "$build"
tmp=$BENCH_TMP
url="https://[::1]:$BENCH_PORT/healthz"
printf 'function delay()\n  return 10\nend\n' >"$tmp/paced.lua"

echo "hypermeshd /healthz over HTTPS keep-alive, ${secs}s per run, $(nproc) cores shared with wrk"
wrk -t1 -c10 -d"${secs}s" --latency -s "$tmp/paced.lua" "$url" >"$tmp/paced.txt"
report "paced (10 conns, 1 req/10 ms each)" "$tmp/paced.txt"
wrk -t2 -c50 -d"${secs}s" --latency "$url" >"$tmp/flat.txt"
report "flat out (50 conns)" "$tmp/flat.txt"
grep -E 'Non-2xx|Socket errors' "$tmp/paced.txt" "$tmp/flat.txt" || true
