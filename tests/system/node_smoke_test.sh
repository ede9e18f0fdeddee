#!/usr/bin/env bash
# A dev node answers /healthz, /api/v1/status and /metrics over HTTPS to curl; promtool accepts
# the metrics; hm status talks to it; SIGTERM stops it cleanly and a restart keeps its identity.
source "$(dirname "$0")/lib.sh"

start_node "$TEST_TMP/data"
[ -f "$NODE_CERT" ] || fail "certificate path printed at start-up does not exist: $NODE_CERT"

expect_status 200 /healthz
[ "$(jq -r .status <<<"$BODY")" = ok ] || fail "/healthz body: $BODY"
ok "/healthz over HTTPS with curl --cacert"

expect_status 200 /api/v1/status
for field in node_id version chain_height uptime_seconds chain_id; do
  jq -e "has(\"$field\")" <<<"$BODY" >/dev/null || fail "/api/v1/status lacks $field: $BODY"
done
node_id=$(jq -r .node_id <<<"$BODY")
[ ${#node_id} -eq 64 ] || fail "node_id is not 32 bytes of hex: $node_id"
ok "/api/v1/status: node $node_id, height $(jq -r .chain_height <<<"$BODY")"

# TLS 1.3 only: a TLS 1.2-only client must be refused.
if curl -sS --cacert "$NODE_CERT" --tls-max 1.2 "$NODE_URL/healthz" >/dev/null 2>&1; then
  fail "a TLS 1.2 client was accepted"
fi
ok "TLS 1.2 refused"

hcurl /metrics -o "$TEST_TMP/metrics.txt"
promtool check metrics <"$TEST_TMP/metrics.txt" || fail "promtool rejected /metrics"
for m in hm_http_requests_total hm_http_request_duration_seconds_bucket hm_chain_height \
         hm_block_commit_seconds_bucket hm_build_info; do
  grep -q "^$m" "$TEST_TMP/metrics.txt" || fail "/metrics lacks $m"
done
grep -q 'route="/healthz"' "$TEST_TMP/metrics.txt" || fail "/metrics lacks per-route labels"
ok "/metrics passes promtool check metrics"

out=$("$HM" --node "[::1]:$NODE_PORT" --cacert "$NODE_CERT" status) || fail "hm status failed"
grep -q "$node_id" <<<"$out" || fail "hm status output lacks the node id: $out"
"$HM" --node "[::1]:$NODE_PORT" --cacert "$NODE_CERT" --json status | jq -e .chain_height >/dev/null \
  || fail "hm --json status"
ok "hm status"

# hm without the right CA must refuse the node's certificate.
if "$HM" --node "[::1]:$NODE_PORT" --cacert /etc/ssl/certs/ca-certificates.crt status 2>/dev/null; then
  fail "hm trusted a certificate it should not"
fi
ok "hm refuses an untrusted certificate"

stop_node TERM
grep -q 'stopped cleanly' "$TEST_TMP/node.log" || fail "no clean-shutdown log line"
ok "SIGTERM: exit 0"

start_node "$TEST_TMP/data"
expect_status 200 /api/v1/status
[ "$(jq -r .node_id <<<"$BODY")" = "$node_id" ] || fail "node identity changed across restart"
stop_node INT
ok "restart keeps identity; SIGINT: exit 0"
