#!/usr/bin/env bash
# TrustChain CA against stock OpenSSL: chain verification, embedded SCTs, OCSP good -> revoked,
# CRL contents. Uses the test-only driver hm_ca_tool (CA_TOOL, default next to HMD's build tree).
source "$(dirname "$0")/lib.sh"

CA_TOOL=${CA_TOOL:-$(dirname "$HMD")/../trustchain/ca/hm_ca_tool}
[ -x "$CA_TOOL" ] || fail "hm_ca_tool not found at $CA_TOOL (set CA_TOOL)"
D=$TEST_TMP/ca
mkdir -p "$D"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/leaf.key" \
  -subj /CN=node1.hypermesh -addext subjectAltName=DNS:node1.hypermesh -out "$D/leaf.csr" \
  2>/dev/null || fail "openssl req"
SERIAL=$("$CA_TOOL" "$D" "$D/leaf.csr" | sed -n 's/^serial //p') || fail "hm_ca_tool"
[ -n "$SERIAL" ] || fail "hm_ca_tool printed no serial"

out=$(openssl verify -purpose sslserver -CAfile "$D/root.pem" -untrusted "$D/chain.pem" \
  "$D/leaf.pem" 2>&1) || fail "openssl verify: $out"
ok "openssl verify -CAfile root.pem -untrusted chain.pem leaf.pem"

text=$(openssl x509 -in "$D/leaf.pem" -noout -text)
echo "$text" | grep -q "CT Precertificate SCTs" || fail "no embedded SCT list"
echo "$text" | grep -q "CT Precertificate Poison" && fail "final certificate carries the poison"
echo "$text" | grep -q "2.5.29.74" || fail "no altSignatureValue extension"
echo "$text" | grep -q "OCSP - URI" || fail "no AIA OCSP URL"
ok "x509 -text shows SCTs, alt signature, AIA"

for want in good revoked; do
  out=$(openssl ocsp -respin "$D/ocsp_$want.der" -issuer "$D/chain.pem" -cert "$D/leaf.pem" \
    -CAfile "$D/root.pem" -no_nonce 2>&1) || fail "openssl ocsp ($want): $out"
  echo "$out" | grep -q "Response verify OK" || fail "OCSP response did not verify: $out"
  echo "$out" | grep -q "leaf.pem: $want" || fail "OCSP status is not $want: $out"
  ok "openssl ocsp reports $want"
done

crl=$(openssl crl -in "$D/crl.pem" -noout -text -CAfile "$D/chain.pem" 2>&1) || fail "openssl crl"
echo "$crl" | grep -q "verify OK" || fail "CRL signature: $crl"
echo "$crl" | tr -d ':' | grep -qi "Serial Number ${SERIAL#0}" || fail "CRL lacks $SERIAL: $crl"
ok "CRL verifies and lists the serial"
echo "PASS ca_openssl_test"
