#!/usr/bin/env bash
# TrustChain end to end over HTTPS against a release hypermeshd --dev, with wrk (keep-alive):
#  1. issuance: POST /api/v1/certificates/issue with a hybrid CSR (ECDSA P-256 + Falcon-1024
#     subject key); each answer is a certificate with an embedded SCT whose precertificate entry
#     and certificate record are in durable blocks. Reports certificates/s and latency.
#  2. CT add-chain: every certificate issued in (1), submitted once to /ct/v1/add-chain (each a
#     new x509 entry); reports entries/s, checked against the growth of the log's tree size.
# Usage: bench/trustchain_bench.sh [RELEASE_BUILD_DIR] [SECONDS] [CONNECTIONS]
set -euo pipefail
build=${1:-build/release}
secs=${2:-20}
conns=${3:-64}
hm=$build/src/cli/hm
source "$(dirname "$0")/lib.sh"
start_bench_node "$build"
tmp=$BENCH_TMP
base="https://[::1]:$BENCH_PORT"
root=$BENCH_ROOT_PEM
sth_size() { curl -sS --cacert "$root" "$base/ct/v1/get-sth" | jq -r .tree_size; }

"$hm" cert issue --name bench.hypermesh --falcon --key "$tmp/leaf.key" --csr-out "$tmp/leaf.csr" \
  >/dev/null 2>&1
issuing_b64=$(curl -sS --cacert "$root" "$base/ca/issuing.der" | base64 -w0)

# Numbers wrk's threads 1..n (each thread has its own Lua state and output file).
lua_thread_ids='local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end'

# Issuance. Each wrk thread appends an add-chain body per issued certificate to its own file.
cat >"$tmp/issue.lua" <<EOF
local f = io.open("$tmp/leaf.csr", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/pkcs10"
$lua_thread_ids
local out
function init(args)
  out = io.open("$tmp/chains." .. id, "w")
end
function response(status, headers, body)
  if status ~= 200 then return end
  local pem = body:match('"certificate":"%-%-%-%-%-BEGIN CERTIFICATE%-%-%-%-%-\\\\n(.-)\\\\n%-%-%-%-%-END')
  if pem then
    out:write('{"chain":["', pem:gsub("\\\\n", ""), '","$issuing_b64"]}\n')
    out:flush()
  end
end
EOF

echo "hypermeshd TrustChain over HTTPS keep-alive, $conns connections, $(nproc) cores shared with wrk"
size0=$(sth_size)
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$tmp/issue.lua" "$base/api/v1/certificates/issue" \
  >"$tmp/issue.txt"
report "issue hybrid certificates (${secs}s)" "$tmp/issue.txt"
grep -E 'Non-2xx|Socket errors' "$tmp/issue.txt" || true
size1=$(sth_size)
issued=$(cat "$tmp"/chains.* | wc -l)
echo "certificates answered: $issued; CT tree grew by $((size1 - size0)) precertificate entries"

# add-chain: each thread walks its own list once, then stops.
cat >"$tmp/add.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
$lua_thread_ids
local bodies, i = {}, 0
function init(args)
  for line in io.lines("$tmp/chains." .. id) do bodies[#bodies + 1] = line end
end
function request()
  i = i + 1
  if i > #bodies then
    wrk.thread:stop()
    i = #bodies
  end
  return wrk.format(nil, nil, nil, bodies[i])
end
EOF
# wrk keeps its clock running until -d even after every thread stopped, so the rate is
# measured from the log itself: the time until the tree has grown by every submitted entry.
t0=$(date +%s.%N)
wrk -t2 -c"$conns" -d120s --latency -s "$tmp/add.lua" "$base/ct/v1/add-chain" >"$tmp/add.txt" &
wrk_pid=$!
target=$((size1 + issued))
while [ "$(sth_size)" -lt "$target" ] && kill -0 "$wrk_pid" 2>/dev/null; do sleep 0.05; done
t1=$(date +%s.%N)
kill -INT "$wrk_pid" 2>/dev/null || true  # wrk prints its statistics on SIGINT
wait "$wrk_pid" 2>/dev/null || true
size2=$(sth_size)
added=$((size2 - size1))
awk -v n="$added" -v t0="$t0" -v t1="$t1" -v p50="$(awk '$1=="50%" {print $2}' "$tmp/add.txt")" \
  -v p99="$(awk '$1=="99%" {print $2}' "$tmp/add.txt")" 'BEGIN {
  printf "%-44s %10.0f /s   (%d new x509 entries in %.2f s; latency p50 %s p99 %s)\n",
         "ct add-chain, distinct certificates", n / (t1 - t0), n, t1 - t0, p50, p99 }'
grep -E 'Non-2xx|Socket errors' "$tmp/add.txt" || true
