#!/usr/bin/env bash
# Bad input gets a specific error and changes nothing: HTTP errors are JSON {code, message};
# bad configuration and a busy port stop the daemon with a non-zero exit naming the setting.
source "$(dirname "$0")/lib.sh"

start_node "$TEST_TMP/data"
expect_status 200 /api/v1/status
height0=$(jq -r .chain_height <<<"$BODY")   # the node's own TLS certificate is already recorded

expect_json_error 404 NOT_FOUND /api/v1/no-such-route
expect_json_error 405 METHOD_NOT_ALLOWED /healthz -X POST
hcurl /healthz -X DELETE -D "$TEST_TMP/headers" -o /dev/null
grep -qi '^allow:' "$TEST_TMP/headers" || fail "405 without an Allow header"
ok "unknown route 404, wrong method 405 with Allow"

expect_json_error 400 INVALID_ARGUMENT /api/v1/transactions -X POST \
  -H 'Content-Type: application/json' --data '{"module": "noop", '
grep -qi json <<<"$(jq -r .message <<<"$BODY")" || fail "malformed JSON message: $BODY"
ok "malformed JSON 400: $(jq -r .message <<<"$BODY")"
expect_json_error 415 UNSUPPORTED_MEDIA_TYPE /api/v1/transactions -X POST \
  -H 'Content-Type: text/plain' --data 'hello'
ok "wrong content type 415"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$TEST_TMP/big"
expect_json_error 413 PAYLOAD_TOO_LARGE /api/v1/transactions -X POST \
  -H 'Content-Type: application/json' --data-binary @"$TEST_TMP/big"
ok "oversized body 413"
expect_json_error 400 INVALID_ARGUMENT /api/v1/transactions -X POST \
  -H 'Content-Type: application/json' \
  --data '{"module":"nosuchmodule","kind":1,"nonce":1,"payload":""}'
ok "unknown module 400"
# A raw `ca` transaction cannot forge an issuance: the payload must be a certificate signed by
# the issuing CA (here it is not even a record).
expect_json_error 400 INVALID_ARGUMENT /api/v1/transactions -X POST \
  -H 'Content-Type: application/json' --data '{"module":"ca","kind":1,"nonce":1,"payload":"AAAA"}'
ok "raw ca transaction with a bogus payload 400"
expect_json_error 400 INVALID_ARGUMENT /api/v1/blocks/notanumber
expect_json_error 404 NOT_FOUND /api/v1/blocks/999999
ok "bad block queries"

expect_status 200 /api/v1/status
height=$(jq -r .chain_height <<<"$BODY")
[ "$height" = "$height0" ] || fail "bad input changed the chain (height $height, was $height0)"
ok "nothing written: height still $height0"

# Still healthy after all of that.
expect_status 200 /healthz

# A busy port: exit 3 and a message naming the address.
rc=0
"$HMD" --dev --data-dir "$TEST_TMP/other" --port "$NODE_PORT" >"$TEST_TMP/busy.log" 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "busy port: exit $rc, expected 3"
grep -q "already in use" "$TEST_TMP/busy.log" || fail "busy port message: $(cat "$TEST_TMP/busy.log")"
[ ! -e "$TEST_TMP/other" ] || fail "busy port still created a data dir"
ok "busy port: exit 3, names the address, writes nothing"

# A second daemon on the same data dir (another port).
rc=0
"$HMD" --dev --data-dir "$TEST_TMP/data" --port 0 >"$TEST_TMP/locked.log" 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "locked data dir: exit $rc, expected 3"
grep -q "locked" "$TEST_TMP/locked.log" || fail "locked data dir message: $(cat "$TEST_TMP/locked.log")"
ok "second daemon on the same data dir: exit 3"
stop_node TERM

# Configuration errors: exit 2, message names the key.
check_config() {
  local expect=$1 text=$2
  printf '%s\n' "$text" >"$TEST_TMP/bad.toml"
  local rc=0
  "$HMD" --config "$TEST_TMP/bad.toml" --data-dir "$TEST_TMP/cfg" >"$TEST_TMP/cfg.log" 2>&1 || rc=$?
  [ $rc -eq 2 ] || fail "config '$text': exit $rc, expected 2"
  grep -q "$expect" "$TEST_TMP/cfg.log" || fail "config '$text': message lacks '$expect': $(cat "$TEST_TMP/cfg.log")"
}
check_config "api.listen" $'[api]\nlisten = "127.0.0.1"'
check_config "IPv6" $'[api]\nlisten = "0.0.0.0"'
check_config "unknown config key 'api.prot'" $'[api]\nprot = 8443'
check_config "api.port" $'[api]\nport = "8443"'
check_config "sequencer.block_interval_ms" $'[sequencer]\nblock_interval_ms = 1000'
check_config "bad.toml:1" $'[api'
rc=0; "$HMD" --dev --listen 127.0.0.1 --data-dir "$TEST_TMP/cfg" >"$TEST_TMP/cfg.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "IPv6" "$TEST_TMP/cfg.log" || fail "--listen 127.0.0.1: exit $rc"
rc=0; "$HMD" --no-such-flag >"$TEST_TMP/cfg.log" 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "unknown flag: exit $rc"
[ ! -e "$TEST_TMP/cfg" ] || fail "a bad configuration created a data dir"
ok "bad configuration: exit 2 naming the key, nothing created"

# Production mode without a genesis file.
rc=0; "$HMD" --data-dir "$TEST_TMP/prod" --listen ::1 --port 0 >"$TEST_TMP/prod.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "genesis.file" "$TEST_TMP/prod.log" || fail "missing genesis: exit $rc: $(cat "$TEST_TMP/prod.log")"
ok "missing genesis in production mode: exit 2 naming genesis.file"
