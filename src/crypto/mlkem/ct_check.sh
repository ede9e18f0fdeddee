#!/usr/bin/env bash
# Runs the ML-KEM constant-time probe under valgrind's memcheck and fails if any branch or memory
# index depends on secret (undefined-marked) data. Usage: ct_check.sh <path-to-hm_mlkem_ct_probe>
# The probe must be a build without sanitizers (valgrind cannot run ASan binaries).
set -u

probe="${1:-}"
if [[ -z "$probe" || ! -x "$probe" ]]; then
  echo "usage: $0 <path-to-hm_mlkem_ct_probe>" >&2
  exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "ct_check: valgrind not found" >&2
  exit 2
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

valgrind --error-exitcode=1 --track-origins=yes "$probe" >"$log" 2>&1
status=$?

pattern='Conditional jump or move depends on uninitialised value|Use of uninitialised value of size'
if grep -Eq "$pattern" "$log"; then
  echo "ct_check: FAILED: secret-dependent branch or memory index" >&2
  # Show each report with its stack and origin.
  grep -E -A 24 "$pattern" "$log" | head -n 200 >&2
  exit 1
fi
if [[ $status -ne 0 ]]; then
  echo "ct_check: FAILED: probe or valgrind exited with status $status" >&2
  tail -n 60 "$log" >&2
  exit 1
fi
grep -E '^(portable|avx2|avx512) ' "$log" | awk '{print $1}' | sort | uniq -c |
  awk '{printf "ct_check: backend %s: %d decapsulations checked\n", $2, $1}'
grep -E 'ERROR SUMMARY' "$log"
echo "ct_check: OK (no secret-dependent branches or memory indices)"
