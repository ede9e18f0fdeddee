#!/usr/bin/env bash
# Runs every tests/system/*_test.sh against the binaries of DEV_BUILD (default build/dev).
# Prints one line per test and a closing "N passed, N failed" line; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build/dev}" && pwd)
export HMD=$build/src/node/hypermeshd HM=$build/src/cli/hm
export HM_RELEASE_BUILD=$(cd "${2:-$root/build/release}" 2>/dev/null && pwd || true)
passed=0 failed=0
for t in "$root"/tests/system/*_test.sh; do
  name=$(basename "$t" .sh)
  start=$(date +%s)
  if bash "$t" >"/tmp/hm-$name.log" 2>&1; then
    passed=$((passed + 1)); echo "system: PASS $name ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1)); echo "system: FAIL $name"; sed 's/^/    /' "/tmp/hm-$name.log" | tail -40
  fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
