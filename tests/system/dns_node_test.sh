#!/usr/bin/env bash
# TrustChain DNS on a running hypermeshd, checked with dig and kdig: the node's own AAAA and
# HTTPS records (alpn/port parsed by dig), NXDOMAIN with the SOA, REFUSED outside the zone, TCP,
# truncation and the retry over TCP, DNS over HTTPS (kdig +https, dig +https), registration by a
# TrustChain certificate holder with `hm dns` and by the admin with curl, unauthorised changes
# (403, nothing written), malformed packets (FORMERR or dropped, the server keeps answering),
# response-rate limiting, and a registered record surviving SIGKILL.
source "$(dirname "$0")/lib.sh"

D=$TEST_TMP/dns
mkdir -p "$D"
start_node "$D/data"
[ -n "$DNS_PORT" ] || fail "hypermeshd did not report its DNS port"
[ -n "$NODE_LABEL" ] || fail "hypermeshd did not report its node id"
export HM_NODE="[::1]:$NODE_PORT" HM_CACERT="$NODE_CERT"
ADMIN="Authorization: Bearer $(cat "$D/data/keys/admin.token")"

DIG=(dig @::1 -p "$DNS_PORT" +norecurse +time=2 +tries=2)
KDIG=(kdig @::1 -p "$DNS_PORT" +norecurse +time=2 +retry=1)
height() { hcurl /api/v1/chain/head | jq -r .height; }

# --- The node's own records ---------------------------------------------------------------------
out=$("${DIG[@]}" AAAA "trust.hypermesh") || fail "dig trust.hypermesh"
grep -q "status: NOERROR" <<<"$out" || fail "trust.hypermesh: $out"
grep -qE "flags: qr aa" <<<"$out" || fail "trust.hypermesh answer is not authoritative: $out"
grep -qE "^trust\.hypermesh\.\s+[0-9]+\s+IN\s+AAAA\s+::1$" <<<"$out" || fail "no AAAA ::1: $out"
ok "dig AAAA trust.hypermesh -> ::1, aa"
out=$("${DIG[@]}" HTTPS "$NODE_LABEL.hypermesh") || fail "dig HTTPS"
grep -q "alpn=\"h3,stoq/1\" port=$NODE_PORT ipv6hint=::1" <<<"$out" \
  || fail "dig does not show alpn h3,stoq/1 and port $NODE_PORT: $out"
ok "dig HTTPS $NODE_LABEL.hypermesh -> alpn=\"h3,stoq/1\" port=$NODE_PORT"
out=$("${KDIG[@]}" -t SVCB "$NODE_LABEL.hypermesh") || fail "kdig SVCB"
grep -q "NOERROR" <<<"$out" || fail "kdig SVCB: $out"
out=$("${KDIG[@]}" -t HTTPS "$NODE_LABEL.hypermesh") || fail "kdig HTTPS"
grep -q 'alpn=h3,stoq/1\|alpn="h3,stoq/1"' <<<"$out" || fail "kdig does not parse alpn: $out"
ok "kdig HTTPS parses alpn; SVCB at the name is NODATA/NOERROR"

# --- Negative answers ------------------------------------------------------------------------------
out=$("${DIG[@]}" AAAA "nothing-here.hypermesh")
grep -q "status: NXDOMAIN" <<<"$out" || fail "no NXDOMAIN: $out"
grep -qE "^hypermesh\.\s+[0-9]+\s+IN\s+SOA\s" <<<"$out" || fail "NXDOMAIN without the SOA: $out"
SERIAL0=$("${DIG[@]}" +short SOA hypermesh | awk '{print $3}')
[ -n "$SERIAL0" ] || fail "no SOA serial"
out=$("${DIG[@]}" TXT "trust.hypermesh")
grep -q "status: NOERROR" <<<"$out" && grep -q "ANSWER: 0" <<<"$out" || fail "no NODATA: $out"
grep -qE "IN\s+SOA" <<<"$out" || fail "NODATA without the SOA: $out"
out=$("${DIG[@]}" AAAA example.com)
grep -q "status: REFUSED" <<<"$out" || fail "outside the zone is not REFUSED: $out"
ok "NXDOMAIN and NODATA carry the SOA (serial $SERIAL0); example.com is REFUSED"

# --- TCP ---------------------------------------------------------------------------------------------
out=$("${DIG[@]}" +tcp AAAA trust.hypermesh) || fail "dig +tcp"
grep -q "status: NOERROR" <<<"$out" && grep -q "::1" <<<"$out" || fail "dig +tcp: $out"
out=$("${KDIG[@]}" +tcp AAAA trust.hypermesh) || fail "kdig +tcp"
grep -q "TCP" <<<"$out" && grep -q "::1" <<<"$out" || fail "kdig +tcp: $out"
ok "dig +tcp and kdig +tcp"

# --- Admin registration (curl) and a large TXT RRset: truncation, then TCP ---------------------------
records=$(for i in $(seq 1 30); do printf '"\\"%s-%03d\\""\n' "$(head -c 90 /dev/zero | tr '\0' x)" "$i"; done | jq -s -c .)
expect_status 200 /api/v1/dns/records -H "$ADMIN" -H 'Content-Type: application/json' \
  --data "{\"name\": \"big.hypermesh\", \"type\": \"TXT\", \"ttl\": 300, \"records\": $records}"
out=$("${DIG[@]}" +ignore +bufsize=1232 TXT big.hypermesh)
grep -qE "flags: qr aa tc" <<<"$out" || fail "a 3 KB TXT RRset over UDP is not truncated: $out"
out=$("${DIG[@]}" +bufsize=1232 TXT big.hypermesh)
grep -q "Truncated, retrying in TCP mode" <<<"$out" || fail "dig did not retry over TCP: $out"
[ "$(grep -cE '^big\.hypermesh\.\s+300\s+IN\s+TXT' <<<"$out")" = 30 ] || fail "TCP retry lost records: $out"
ok "large TXT RRset: TC over UDP (EDNS 1232), dig retries over TCP and gets all 30 records"
[ "$("${DIG[@]}" +short SOA hypermesh | awk '{print $3}')" -gt "$SERIAL0" ] \
  || fail "SOA serial did not increase after a change"
ok "SOA serial increased after the change"

# --- DNS over HTTPS -----------------------------------------------------------------------------------
out=$(kdig @::1 -p "$NODE_PORT" +https +tls-ca="$NODE_CERT" +tls-hostname=localhost +time=3 \
  AAAA trust.hypermesh 2>&1) || fail "kdig +https: $out"
grep -q "HTTP/2" <<<"$out" && grep -qE "AAAA\s+::1" <<<"$out" || fail "kdig +https: $out"
out=$(kdig @::1 -p "$NODE_PORT" +https-get +tls-ca="$NODE_CERT" +tls-hostname=localhost +time=3 \
  HTTPS "$NODE_LABEL.hypermesh" 2>&1) || fail "kdig +https-get: $out"
grep -q "alpn" <<<"$out" || fail "kdig +https-get: $out"
out=$(dig @::1 -p "$NODE_PORT" +https +tls-ca="$NODE_CERT" +tls-hostname=localhost +time=3 \
  AAAA trust.hypermesh 2>&1) || fail "dig +https: $out"
grep -q "status: NOERROR" <<<"$out" && grep -qE "AAAA\s+::1" <<<"$out" || fail "dig +https: $out"
ok "kdig +https (POST), kdig +https-get (GET) and dig +https to https://[::1]:$NODE_PORT/dns-query"
q=$(printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05trust\x09hypermesh\x00\x00\x1c\x00\x01' | base64 -w0 | tr '+/' '-_' | tr -d '=')
hcurl "/dns-query?dns=$q" -H 'Accept: application/dns-message' -o "$D/doh.bin" \
  || fail "curl DoH GET"
[ "$(xxd -p -l 2 "$D/doh.bin")" = 1234 ] || fail "DoH GET: wrong ID"
expect_status 415 /dns-query -H 'Content-Type: text/plain' --data 'x'
expect_status 400 "/dns-query?dns=***"
ok "curl DoH GET; wrong content type 415; bad base64url 400"

# --- Registration by a certificate holder (hm dns) ----------------------------------------------------
"$HM" cert issue --name app.hypermesh --key "$D/app.key" --out "$D/app.pem" >/dev/null 2>&1 \
  || fail "hm cert issue app.hypermesh"
"$HM" cert issue --name other.hypermesh --key "$D/other.key" --out "$D/other.pem" >/dev/null 2>&1 \
  || fail "hm cert issue other.hypermesh"
"$HM" dns set app.hypermesh AAAA 2001:db8::42 2001:db8::43 --ttl 120 --cert "$D/app.pem" \
  --key "$D/app.key" >"$D/set.txt" 2>&1 || fail "hm dns set: $(cat "$D/set.txt")"
out=$("${DIG[@]}" +short AAAA app.hypermesh | sort | tr '\n' ' ')
[ "$out" = "2001:db8::42 2001:db8::43 " ] || fail "dig after hm dns set: '$out'"
"$HM" dns set _8443._https.app.hypermesh HTTPS '1 app.hypermesh. alpn=h3 port=8443' \
  --cert "$D/app.pem" --key "$D/app.key" >/dev/null 2>&1 || fail "hm dns set (underscore owner)"
"$HM" dns get app.hypermesh AAAA | grep -q "2001:db8::42" || fail "hm dns get"
ok "hm dns set with a certificate for app.hypermesh; dig answers; hm dns get"

H1=$(height); S1=$("${DIG[@]}" +short SOA hypermesh | awk '{print $3}')
out=$("$HM" dns set app.hypermesh AAAA 2001:db8::666 --cert "$D/other.pem" --key "$D/other.key" 2>&1) \
  && fail "a certificate for another name changed app.hypermesh"
grep -q "403\|PERMISSION_DENIED\|does not cover" <<<"$out" || fail "no 403 for another name: $out"
expect_json_error 403 PERMISSION_DENIED /api/v1/dns/records -H 'Content-Type: application/json' \
  --data '{"name": "app.hypermesh", "type": "AAAA", "records": ["2001:db8::666"]}'
expect_json_error 403 PERMISSION_DENIED /api/v1/dns/records -H 'Content-Type: application/json' \
  -H 'Authorization: Bearer not-the-admin-token-at-all' \
  --data '{"name": "app.hypermesh", "type": "AAAA", "records": ["2001:db8::666"]}'
expect_json_error 400 INVALID_ARGUMENT /api/v1/dns/records -H "$ADMIN" \
  -H 'Content-Type: application/json' --data '{"name": "app.hypermesh", "type": "AAAA", "records": ["nope"]}'
expect_json_error 400 INVALID_ARGUMENT /api/v1/dns/records -H "$ADMIN" \
  -H 'Content-Type: application/json' --data '{"name": "app.example", "type": "AAAA", "records": ["::1"]}'
expect_json_error 400 INVALID_ARGUMENT /api/v1/dns/records -H "$ADMIN" \
  -H 'Content-Type: application/json' --data '{"name": '
[ "$(height)" = "$H1" ] || fail "a rejected change grew the chain"
[ "$("${DIG[@]}" +short SOA hypermesh | awk '{print $3}')" = "$S1" ] || fail "SOA serial moved"
out=$("${DIG[@]}" +short AAAA app.hypermesh | sort | tr '\n' ' ')
[ "$out" = "2001:db8::42 2001:db8::43 " ] || fail "app.hypermesh changed: '$out'"
ok "another name's certificate, no credential, wrong token, bad rdata, foreign zone: 4xx, nothing changed"

# --- Malformed packets -------------------------------------------------------------------------------
# udp_exchange HEX: sends the bytes to the DNS port from a connected UDP socket; prints the reply
# (hex) or nothing after 1 s.
udp_exchange() {
  exec 3<>"/dev/udp/::1/$DNS_PORT"
  printf '%s' "$1" | xxd -r -p >&3
  timeout 1 dd bs=65535 count=1 <&3 2>/dev/null | xxd -p | tr -d '\n' || true
  exec 3>&-
}
# A header announcing one question that is not there: FORMERR with the ID echoed.
reply=$(udp_exchange "abcd01000001000000000000")
[ "${reply:0:4}" = abcd ] || fail "truncated question: no reply with the ID (got '$reply')"
[ $(( 0x${reply:6:2} & 0x0f )) = 1 ] || fail "truncated question: rcode is not FORMERR ($reply)"
# A compression loop in the question name.
reply=$(udp_exchange "beef01000001000000000000c00c00010001")
[ $(( 0x${reply:6:2} & 0x0f )) = 1 ] || fail "pointer loop: not FORMERR ($reply)"
# Shorter than a header, random bytes, a response (QR=1): dropped.
[ -z "$(udp_exchange "0102")" ] || fail "3 bytes got a reply"
[ -z "$(udp_exchange "abcd81800001000000000000")" ] || fail "a response got a reply"
for _ in $(seq 1 200); do head -c $(( RANDOM % 600 + 1 )) /dev/urandom >"/dev/udp/::1/$DNS_PORT"; done
out=$("${DIG[@]}" AAAA trust.hypermesh) && grep -q "status: NOERROR" <<<"$out" \
  || fail "the server stopped answering after malformed packets"
kill -0 "$NODE_PID" || fail "hypermeshd died"
ok "malformed packets: FORMERR with the ID, or dropped; 200 random datagrams; still answering"

# --- Response-rate limiting -----------------------------------------------------------------------------
printf 'trust.hypermesh AAAA\n' >"$D/q.txt"
dnsperf -s ::1 -p "$DNS_PORT" -d "$D/q.txt" -n 3000 -c 1 -Q 3000 -t 1 >"$D/perf.txt" 2>&1 || true
dropped=$(hcurl /metrics | awk '/^hm_dns_rrl_(dropped|slipped)_total/ {s += $2} END {print s+0}')
[ "$dropped" -gt 0 ] || fail "3000 queries in ~1 s from one client were not rate-limited: $(cat "$D/perf.txt")"
sleep 2
"${DIG[@]}" AAAA trust.hypermesh | grep -q "status: NOERROR" || fail "no answer after the burst"
ok "RRL: a 3000 q/s burst from one /56 was limited ($dropped dropped or slipped); normal service after"

# --- SIGKILL durability ----------------------------------------------------------------------------------
expect_status 200 /api/v1/dns/records -H "$ADMIN" -H 'Content-Type: application/json' \
  --data '{"name": "durable.hypermesh", "type": "AAAA", "records": ["2001:db8::d"]}'
stop_node KILL
start_node "$D/data"
DIG=(dig @::1 -p "$DNS_PORT" +norecurse +time=2 +tries=2)
out=$("${DIG[@]}" +short AAAA durable.hypermesh)
[ "$out" = "2001:db8::d" ] || fail "record lost after SIGKILL: '$out'"
out=$("${DIG[@]}" +short AAAA app.hypermesh | sort | tr '\n' ' ')
[ "$out" = "2001:db8::42 2001:db8::43 " ] || fail "app.hypermesh lost after SIGKILL: '$out'"
ok "after SIGKILL and restart dig answers the registered records"
stop_node
echo "dns_node_test: all checks passed"
