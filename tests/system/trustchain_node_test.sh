#!/usr/bin/env bash
# TrustChain on a running hypermeshd, checked with stock tools: issuance from an `openssl req`
# CSR with curl, `openssl verify` to the TrustChain root, embedded SCTs, the node's own
# TrustChain-issued TLS certificate, the Falcon alternative signature (our verifier, and its
# failure after a one-byte TBS change), OCSP good -> revoked, the CRL, revocation rules, bad
# input that writes nothing, SIGKILL durability, and the `hm cert` client.
source "$(dirname "$0")/lib.sh"

D=$TEST_TMP/tc
mkdir -p "$D"
# Production name policy (zones = hypermesh) on a dev node.
cat >"$D/node.toml" <<'EOF'
[trustchain]
allow_any_name = false
zones = ["hypermesh"]
EOF
start_node "$D/data" --config "$D/node.toml"

# --- The node's own certificate chains to the TrustChain root ---------------------------------
hcurl /healthz >/dev/null || fail "curl --cacert root.pem /healthz against the node's certificate"
ok "curl --cacert root.pem https://[::1]:$NODE_PORT/healthz"
hcurl /api/v1/ca/root >"$D/root.pem" || fail "GET /api/v1/ca/root"
cmp -s "$D/root.pem" "$NODE_CERT" || fail "/api/v1/ca/root differs from tls/root.pem"
openssl s_client -connect "[::1]:$NODE_PORT" -CAfile "$D/root.pem" -verify_return_error \
  </dev/null >"$D/s_client.txt" 2>&1 || fail "openssl s_client: $(tail -5 "$D/s_client.txt")"
grep -q "Verify return code: 0 (ok)" "$D/s_client.txt" || fail "s_client did not verify the node"
grep -q "HyperMesh Issuing CA" "$D/s_client.txt" || fail "node certificate not from the issuing CA"
ok "openssl s_client verifies the node's certificate chain"

sth_size() { hcurl /ct/v1/get-sth | jq -r .tree_size; }
height() { hcurl /api/v1/chain/head | jq -r .height; }
SIZE0=$(sth_size)
[ "$SIZE0" -ge 1 ] || fail "the node's own certificate is not in the CT log (tree size $SIZE0)"

# --- Issuance from an openssl CSR with curl ---------------------------------------------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/leaf.key" \
  -subj /CN=node1.hypermesh -addext subjectAltName=DNS:node1.hypermesh -out "$D/leaf.csr" \
  2>/dev/null || fail "openssl req"
expect_status 200 /api/v1/certificates/issue -H 'Content-Type: application/pkcs10' \
  --data-binary @"$D/leaf.csr"
echo "$BODY" >"$D/issue.json"
jq -r .certificate "$D/issue.json" >"$D/leaf.pem"
jq -r .chain "$D/issue.json" >"$D/chain.pem"
SERIAL=$(jq -r .serial "$D/issue.json")
INDEX=$(jq -r .ct.leaf_index "$D/issue.json")
LEAF_HASH=$(jq -r .ct.leaf_hash "$D/issue.json")
[ "$(jq -r '.ct.audit_path | length' "$D/issue.json")" -ge 1 ] || fail "no inclusion proof"
ok "issued $SERIAL (CT leaf $INDEX)"

out=$(openssl verify -purpose sslserver -CAfile "$D/root.pem" -untrusted "$D/chain.pem" \
  "$D/leaf.pem" 2>&1) || fail "openssl verify: $out"
ok "openssl verify -CAfile root.pem -untrusted chain.pem leaf.pem"
text=$(openssl x509 -in "$D/leaf.pem" -noout -text)
echo "$text" | grep -q "CT Precertificate SCTs" || fail "no embedded SCT list"
echo "$text" | grep -q "CT Precertificate Poison" && fail "final certificate carries the poison"
echo "$text" | grep -q "2.5.29.74" || fail "no altSignatureValue extension"
echo "$text" | grep -q "OCSP - URI:https://localhost:$NODE_PORT/ocsp" || fail "no AIA OCSP URL"
echo "$text" | grep -q "URI:https://localhost:$NODE_PORT/ca/crl.der" || fail "no CRL DP"
ok "x509 -text shows the embedded SCT list, alt signature, AIA and CRL DP"
[ "$(openssl x509 -in "$D/leaf.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)" = "$SERIAL" ] \
  || fail "serial in the answer differs from the certificate's"

# --- Falcon alternative signature: verifies, and fails after one TBS byte changes -------------
"$HM" cert verify --chain "$D/chain.pem" "$D/leaf.pem" >"$D/verify.txt" 2>&1 \
  || fail "hm cert verify: $(cat "$D/verify.txt")"
grep -q "falcon-1024 alt signature: ok" "$D/verify.txt" || fail "alt signature not checked: $(cat "$D/verify.txt")"
openssl x509 -in "$D/leaf.pem" -outform DER -out "$D/leaf.der"
off=$(grep -obUa "node1.hypermesh" "$D/leaf.der" | head -1 | cut -d: -f1)
[ -n "$off" ] || fail "subject name not found in the DER"
cp "$D/leaf.der" "$D/tampered.der"
printf 'm' | dd of="$D/tampered.der" bs=1 seek="$off" conv=notrunc status=none
openssl x509 -inform DER -in "$D/tampered.der" -out "$D/tampered.pem" || fail "tampered DER unparseable"
if "$HM" cert verify --chain "$D/chain.pem" "$D/tampered.pem" >"$D/verify2.txt" 2>&1; then
  fail "a certificate with a changed TBS byte verified"
fi
grep -q "falcon-1024 alt signature: FAILED" "$D/verify2.txt" || fail "alt signature failure not reported: $(cat "$D/verify2.txt")"
ok "Falcon-1024 alt signature verifies, and fails after one TBS byte is changed"

# --- OCSP good -------------------------------------------------------------------------------
awk '/BEGIN/{n++} n==1' "$D/chain.pem" >"$D/issuing.pem"
ocsp_status() {
  openssl ocsp -issuer "$D/issuing.pem" -cert "$D/leaf.pem" -no_nonce -reqout "$D/req.der" \
    >/dev/null 2>&1 || fail "openssl ocsp -reqout"
  hcurl /ocsp -H 'Content-Type: application/ocsp-request' --data-binary @"$D/req.der" \
    -o "$D/resp.der" || fail "POST /ocsp"
  openssl ocsp -respin "$D/resp.der" -issuer "$D/issuing.pem" -cert "$D/leaf.pem" \
    -CAfile "$D/root.pem" -no_nonce 2>&1
}
out=$(ocsp_status)
echo "$out" | grep -q "Response verify OK" || fail "OCSP response did not verify: $out"
echo "$out" | grep -q "leaf.pem: good" || fail "OCSP status is not good: $out"
ok "openssl ocsp reports good"
# GET form (RFC 6960 A.1).
req_b64=$(base64 -w0 "$D/req.der" | jq -sRr @uri)
hcurl "/ocsp/$req_b64" -o "$D/resp_get.der" || fail "GET /ocsp"
openssl ocsp -respin "$D/resp_get.der" -issuer "$D/issuing.pem" -cert "$D/leaf.pem" \
  -CAfile "$D/root.pem" -no_nonce 2>&1 | grep -q "leaf.pem: good" || fail "OCSP GET is not good"
ok "OCSP GET form answers too"

# --- Revocation: someone else's key is refused; the certificate's own key works ----------------
revoke_msg() {  # serial-hex reason-code -> message bytes on stdout
  local s=$1 r=$2
  printf 'hm.revoke.v1\0'
  printf "\\x$(printf %02x $(( ${#s} / 2 )))"
  echo -n "$s" | xxd -r -p
  printf "\\x$(printf %02x "$r")"
}
revoke_msg "$SERIAL" 1 >"$D/msg.bin"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/other.key" 2>/dev/null
openssl dgst -sha256 -sign "$D/other.key" -out "$D/bad.sig" "$D/msg.bin"
H0=$(height)
expect_json_error 403 PERMISSION_DENIED "/api/v1/certificates/$SERIAL/revoke" \
  -H 'Content-Type: application/json' \
  -d "{\"reason\":\"keyCompromise\",\"signature\":\"$(base64 -w0 "$D/bad.sig")\"}"
expect_json_error 401 UNAUTHENTICATED "/api/v1/certificates/$SERIAL/revoke" \
  -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}'
expect_json_error 403 PERMISSION_DENIED "/api/v1/certificates/$SERIAL/revoke" \
  -H 'Content-Type: application/json' -H 'Authorization: Bearer not-the-admin-token-at-all' -d '{}'
[ "$(height)" = "$H0" ] || fail "a refused revocation wrote a block"
[ "$(hcurl "/api/v1/certificates/$SERIAL" | jq -r .status)" = good ] || fail "status changed"
ok "revoking someone else's certificate: 403, unauthorised: 401, nothing written"

openssl dgst -sha256 -sign "$D/leaf.key" -out "$D/good.sig" "$D/msg.bin"
expect_status 200 "/api/v1/certificates/$SERIAL/revoke" -H 'Content-Type: application/json' \
  -d "{\"reason\":\"keyCompromise\",\"signature\":\"$(base64 -w0 "$D/good.sig")\"}"
[ "$(jq -r .status <<<"$BODY")" = revoked ] || fail "revoke answer: $BODY"
out=$(ocsp_status)
echo "$out" | grep -q "leaf.pem: revoked" || fail "OCSP status is not revoked: $out"
echo "$out" | grep -q "Reason: keyCompromise" || fail "OCSP reason missing: $out"
ok "revoked with the certificate's own key (openssl dgst); openssl ocsp reports revoked"

hcurl /ca/crl.der -o "$D/crl.der" || fail "GET /ca/crl.der"
crl=$(openssl crl -inform DER -in "$D/crl.der" -noout -text -CAfile "$D/chain.pem" 2>&1) \
  || fail "openssl crl: $crl"
echo "$crl" | grep -q "verify OK" || fail "CRL signature: $crl"
echo "$crl" | tr -d ":" | grep -qi "serial number ${SERIAL}" || fail "CRL lacks $SERIAL: $crl"
ok "the CRL at the CDP URL verifies and lists the serial"

# Admin revocation with the node's admin credential.
expect_status 200 /api/v1/certificates/issue -H 'Content-Type: application/pkcs10' \
  --data-binary @"$D/leaf.csr"
SERIAL2=$(jq -r .serial <<<"$BODY")
expect_status 200 "/api/v1/certificates/$SERIAL2/revoke" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $(cat "$D/data/keys/admin.token")" -d '{"reason":"superseded"}'
ok "admin revocation with keys/admin.token"

# --- Bad input: specific 4xx, nothing written --------------------------------------------------
H1=$(height); S1=$(sth_size)
issue_bad() {  # want-status want-code csr-file [content-type]
  expect_json_error "$1" "$2" /api/v1/certificates/issue -H "Content-Type: ${4:-application/pkcs10}" \
    --data-binary @"$3"
}
echo "not a csr" >"$D/garbage.csr"
issue_bad 400 INVALID_ARGUMENT "$D/garbage.csr"
# Mis-signed: flip the low bit of the last byte (inside the ECDSA signature's s value).
openssl req -in "$D/leaf.csr" -outform DER -out "$D/csr.der"
last=$(( $(stat -c %s "$D/csr.der") - 1 ))
byte=$(xxd -s "$last" -l 1 -p "$D/csr.der")
printf "\\x$(printf %02x $(( 0x$byte ^ 1 )))" | dd of="$D/csr.der" bs=1 seek="$last" conv=notrunc status=none
{ echo "-----BEGIN CERTIFICATE REQUEST-----"; base64 -w64 "$D/csr.der"; echo "-----END CERTIFICATE REQUEST-----"; } >"$D/missigned.csr"
issue_bad 400 INVALID_ARGUMENT "$D/missigned.csr"
openssl req -new -newkey rsa:1024 -nodes -keyout "$D/rsa.key" -subj /CN=a.hypermesh \
  -addext subjectAltName=DNS:a.hypermesh -out "$D/rsa.csr" 2>/dev/null || fail "openssl req rsa"
issue_bad 400 INVALID_ARGUMENT "$D/rsa.csr"
grep -q "RSA-1024" <<<"$BODY" || fail "RSA rejection does not name the key type: $BODY"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$D/p384.key" \
  -subj /CN=a.hypermesh -addext subjectAltName=DNS:a.hypermesh -out "$D/p384.csr" 2>/dev/null
issue_bad 400 INVALID_ARGUMENT "$D/p384.csr"
openssl req -new -key "$D/leaf.key" -subj /CN=example.com -addext subjectAltName=DNS:example.com \
  -out "$D/outside.csr" 2>/dev/null
issue_bad 403 PERMISSION_DENIED "$D/outside.csr"
grep -q "example.com" <<<"$BODY" || fail "policy rejection does not name the name: $BODY"
issue_bad 415 UNSUPPORTED_MEDIA_TYPE "$D/leaf.csr" image/png
head -c 20000 /dev/zero | tr '\0' 'A' >"$D/huge.csr"
expect_status 413 /api/v1/certificates/issue -H 'Content-Type: application/pkcs10' \
  --data-binary @"$D/huge.csr"
# Truncated CT chain: the leaf's DER cut in half.
leaf_b64=$(head -c 300 "$D/leaf.der" | base64 -w0)
expect_json_error 400 INVALID_ARGUMENT /ct/v1/add-chain -H 'Content-Type: application/json' \
  -d "{\"chain\":[\"$leaf_b64\"]}"
expect_json_error 400 INVALID_ARGUMENT /ct/v1/add-chain -H 'Content-Type: application/json' \
  -d '{"chain":[]}'
expect_json_error 404 NOT_FOUND /api/v1/certificates/0abc/revoke -H 'Content-Type: application/json' -d '{}'
[ "$(height)" = "$H1" ] || fail "bad input wrote a block"
[ "$(sth_size)" = "$S1" ] || fail "bad input grew the CT log"
ok "garbage, mis-signed, RSA-1024, P-384, out-of-policy, oversized and truncated-chain input: 4xx, nothing written"

# --- hm cert client ----------------------------------------------------------------------------
export HM_NODE="[::1]:$NODE_PORT" HM_CACERT="$NODE_CERT"
"$HM" cert issue --name cli.hypermesh --falcon --key "$D/cli.key" --out "$D/cli.pem" \
  --chain-out "$D/cli_chain.pem" >"$D/cli_issue.txt" 2>&1 || fail "hm cert issue: $(cat "$D/cli_issue.txt")"
openssl verify -CAfile "$D/root.pem" -untrusted "$D/cli_chain.pem" "$D/cli.pem" >/dev/null \
  || fail "hm cert issue produced an unverifiable certificate"
openssl x509 -in "$D/cli.pem" -noout -text | grep -q "2.5.29.72" \
  || fail "--falcon leaf lacks subjectAltPublicKeyInfo"
CLI_SERIAL=$(openssl x509 -in "$D/cli.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
"$HM" cert show "$CLI_SERIAL" | grep -qi good || fail "hm cert show"
"$HM" cert renew --cert "$D/cli.pem" --key "$D/cli.key" >/dev/null 2>&1 || fail "hm cert renew"
NEW_SERIAL=$(openssl x509 -in "$D/cli.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
[ "$NEW_SERIAL" != "$CLI_SERIAL" ] || fail "hm cert renew did not replace the certificate"
"$HM" cert revoke --cert "$D/cli.pem" --key "$D/cli.key" --reason superseded >/dev/null 2>&1 \
  || fail "hm cert revoke"
"$HM" cert show "$NEW_SERIAL" | grep -qi revoked || fail "hm cert show after revoke"
ok "hm cert issue --falcon / show / renew / revoke"

# --- SIGKILL durability ------------------------------------------------------------------------
stop_node KILL
start_node "$D/data" --config "$D/node.toml"
expect_status 200 "/api/v1/certificates/$SERIAL"
[ "$(jq -r .status <<<"$BODY")" = revoked ] || fail "revocation lost after SIGKILL"
[ "$(jq -r .ct_leaf_index <<<"$BODY")" = "$INDEX" ] || fail "CT index changed after SIGKILL"
SIZE=$(sth_size)
hash_q=$(jq -rn --arg h "$LEAF_HASH" '$h|@uri')
expect_status 200 "/ct/v1/get-proof-by-hash?hash=$hash_q&tree_size=$SIZE"
[ "$(jq -r .leaf_index <<<"$BODY")" = "$INDEX" ] || fail "proof for another leaf: $BODY"
ok "after SIGKILL and restart: certificate, revocation and CT inclusion proof are there"
stop_node
echo "PASS trustchain_node_test"
