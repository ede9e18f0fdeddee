#!/usr/bin/env bash
# DNS over QUIC (RFC 9250, ALPN doq) on a running hypermeshd, checked with `hm dns query --doq`:
# kdig 3.2 has no +quic, so our client is the only DoQ client here; its answers are compared
# with kdig's over classic TCP for the same names. Covers records registered through the API
# (AAAA, TXT), NXDOMAIN with the SOA, REFUSED outside the zone and for AXFR, the defaults
# (HM_NODE/HM_CACERT), certificate verification against the TrustChain root, clear errors for a
# bad name, an untrusted server and a port without DoQ, and a node with DNS off not offering doq.
source "$(dirname "$0")/lib.sh"

D=$TEST_TMP/doq
mkdir -p "$D"
start_node "$D/data"
[ -n "$DNS_PORT" ] || fail "hypermeshd did not report its DNS port"
grep -q "QUIC (HTTP/3) on \[::1\]:$NODE_PORT/udp, ALPN h3, doq" "$TEST_TMP/node.log" \
  || fail "the node does not log doq among its QUIC ALPNs"
ok "the node serves ALPN doq on [::1]:$NODE_PORT/udp"
ADMIN="Authorization: Bearer $(cat "$D/data/keys/admin.token")"

Q=("$HM" dns query --doq --server "[::1]:$NODE_PORT" --cacert "$NODE_CERT" --timeout 5)
KDIG=(kdig @::1 -p "$DNS_PORT" +tcp +norecurse +time=3 +retry=1)
# answers FILE: the answer section's records, whitespace normalised, sorted (hm or kdig output).
answers() {
  awk '/^;; ANSWER SECTION:/ {on = 1; next} /^$|^;;/ {on = 0} on {$1 = $1; print}' "$1" | sort
}

# --- Records registered through the API, compared with kdig over TCP ----------------------------
expect_status 200 /api/v1/dns/records -H "$ADMIN" -H 'Content-Type: application/json' \
  --data '{"name": "app.hypermesh", "type": "AAAA", "ttl": 120, "records": ["2001:db8::42", "2001:db8::43"]}'
expect_status 200 /api/v1/dns/records -H "$ADMIN" -H 'Content-Type: application/json' \
  --data '{"name": "app.hypermesh", "type": "TXT", "records": ["\"hello over quic\"", "\"v=2\""]}'
for type in AAAA TXT; do
  "${Q[@]}" app.hypermesh "$type" >"$D/hm-$type.txt" 2>&1 || fail "hm dns query --doq $type: $(cat "$D/hm-$type.txt")"
  "${KDIG[@]}" -t "$type" app.hypermesh >"$D/kdig-$type.txt" 2>&1 || fail "kdig +tcp $type: $(cat "$D/kdig-$type.txt")"
  grep -q "status: NOERROR" "$D/hm-$type.txt" || fail "DoQ $type: $(cat "$D/hm-$type.txt")"
  grep -q "flags: qr aa" "$D/hm-$type.txt" || fail "DoQ $type answer is not authoritative"
  got=$(answers "$D/hm-$type.txt"); want=$(answers "$D/kdig-$type.txt")
  [ -n "$want" ] || fail "kdig $type has no answers: $(cat "$D/kdig-$type.txt")"
  [ "$got" = "$want" ] || fail "DoQ and TCP answers differ for $type:
--- DoQ
$got
--- TCP
$want"
done
[ "$(answers "$D/hm-AAAA.txt" | wc -l)" = 2 ] || fail "expected 2 AAAA records: $(cat "$D/hm-AAAA.txt")"
grep -q '"hello over quic"' "$D/hm-TXT.txt" || fail "TXT data missing: $(cat "$D/hm-TXT.txt")"
out=$("${Q[@]}" --short app.hypermesh AAAA | sort | tr '\n' ' ')
[ "$out" = "2001:db8::42 2001:db8::43 " ] || fail "--short: '$out'"
[ "$out" = "$("${KDIG[@]}" +short -t AAAA app.hypermesh | sort | tr '\n' ' ')" ] || fail "--short differs from kdig +short"
ok "registered AAAA and TXT: DoQ answer section equals kdig +tcp's; --short equals kdig +short"

out=$("${Q[@]}" "trust.hypermesh") || fail "DoQ trust.hypermesh: $out"
grep -qE "^trust\.hypermesh\.\s+[0-9]+\s+IN\s+AAAA\s+::1$" <<<"$out" || fail "no AAAA ::1: $out"
grep -q "SERVER: \[::1\]:$NODE_PORT (DNS over QUIC)" <<<"$out" || fail "no SERVER line: $out"
ok "the node's own AAAA over DoQ"

# --- Negative answers ----------------------------------------------------------------------------------
out=$("${Q[@]}" nothing-here.hypermesh) || fail "DoQ NXDOMAIN exits non-zero: $out"
grep -q "status: NXDOMAIN" <<<"$out" || fail "no NXDOMAIN: $out"
grep -qE "^hypermesh\.\s+[0-9]+\s+IN\s+SOA\s" <<<"$out" || fail "NXDOMAIN without the SOA: $out"
[ "$(grep -E 'IN\s+SOA' <<<"$out" | awk '{$1 = $1; print}')" = \
  "$("${KDIG[@]}" nothing-here.hypermesh | grep -E 'IN\s+SOA' | awk '{$1 = $1; print}')" ] \
  || fail "the NXDOMAIN SOA differs from kdig's"
out=$("${Q[@]}" example.com A) || fail "DoQ example.com: $out"
grep -q "status: REFUSED" <<<"$out" || fail "outside the zone is not REFUSED: $out"
out=$("${Q[@]}" hypermesh TYPE252) || fail "DoQ AXFR: $out"
grep -q "status: REFUSED" <<<"$out" || fail "AXFR over DoQ is not REFUSED: $out"
ok "NXDOMAIN with the same SOA as over TCP; example.com and AXFR are REFUSED"

# --- Defaults: HM_NODE and HM_CACERT --------------------------------------------------------------------
out=$(HM_NODE="[::1]:$NODE_PORT" HM_CACERT="$NODE_CERT" "$HM" dns query app.hypermesh --short | sort | tr '\n' ' ')
[ "$out" = "2001:db8::42 2001:db8::43 " ] || fail "hm dns query with HM_NODE/HM_CACERT: '$out'"
ok "hm dns query takes the server and CA from HM_NODE and HM_CACERT"

# --- Clear errors ---------------------------------------------------------------------------------------
rc=0; out=$("${Q[@]}" 'bad..name' 2>&1) || rc=$?
[ $rc = 2 ] && grep -q 'empty label' <<<"$out" || fail "bad name: exit $rc: $out"
rc=0; out=$("${Q[@]}" app.hypermesh BOGUS 2>&1) || rc=$?
[ $rc = 2 ] && grep -q 'unknown record type' <<<"$out" || fail "bad type: exit $rc: $out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/other.key" \
  -out "$D/other.pem" -subj /CN=other -days 1 2>/dev/null || fail "openssl req"
rc=0; out=$("$HM" dns query app.hypermesh --server "[::1]:$NODE_PORT" --cacert "$D/other.pem" 2>&1) || rc=$?
[ $rc = 1 ] && grep -q 'not trusted' <<<"$out" || fail "untrusted server: exit $rc: $out"
rc=0; out=$("$HM" dns query app.hypermesh --server "[::1]:$DNS_PORT" -k --timeout 1 2>&1) || rc=$?
[ $rc = 1 ] && grep -q 'timed out' <<<"$out" || fail "no DoQ on the port: exit $rc: $out"
rc=0; out=$("$HM" dns query app.hypermesh --server "127.0.0.1:$NODE_PORT" -k 2>&1) || rc=$?
[ $rc = 2 ] && grep -qi 'ipv4' <<<"$out" || fail "IPv4 server: exit $rc: $out"
"${Q[@]}" --short trust.hypermesh | grep -qx '::1' || fail "the node stopped answering DoQ"
kill -0 "$NODE_PID" || fail "hypermeshd died"
ok "bad name and type (exit 2), untrusted certificate, no DoQ on the port, IPv4 (clear errors)"
stop_node

# --- DNS off: doq is not offered ------------------------------------------------------------------------
printf '[dns]\nenabled = false\n' >"$D/nodns.toml"
start_node "$D/data" --config "$D/nodns.toml"
grep -q "QUIC (HTTP/3) on \[::1\]:$NODE_PORT/udp, ALPN h3," "$TEST_TMP/node.log" \
  || fail "the node without DNS does not log its ALPNs"
rc=0; out=$("$HM" dns query app.hypermesh --server "[::1]:$NODE_PORT" --cacert "$NODE_CERT" 2>&1) || rc=$?
[ $rc = 1 ] && grep -q 'does not offer DNS over QUIC' <<<"$out" || fail "DNS off: exit $rc: $out"
ok "with DNS off the node does not offer doq; hm says so"
stop_node
echo "doq_test: all checks passed"
