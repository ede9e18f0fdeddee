#!/usr/bin/env bash
# hm key gen / sign / verify / kem for every algorithm in raw and PEM key formats: round trips,
# tampering (exit 1), usage errors (exit 2), 0600 secret files, openssl asn1parse of the PEM
# files and their OIDs, and ECDSA interoperability with openssl dgst. Needs no running node.
source "$(dirname "$0")/lib.sh"

cd "$TEST_TMP"
echo "the quick brown fox jumps over the lazy dog" >msg

# expect_rc WANT CMD...: runs CMD, asserts its exit code, keeps stderr in $ERR.
expect_rc() {
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  ERR=$(cat err.txt)
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want: $* (stderr: $ERR)"
  if [ "$want" != 0 ]; then
    [ "$(wc -l <err.txt)" = 1 ] || fail "expected one stderr line from: $* (got: $ERR)"
  fi
}

# flip_byte FILE OFFSET: XORs one byte with 0x01 (a negative OFFSET counts from the end).
flip_byte() {
  local f=$1 off=$2 size b
  size=$(stat -c %s "$f")
  [ "$off" -lt 0 ] && off=$((size + off))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# pem_flip_last IN OUT: OUT is IN with the last byte of its DER body flipped, re-wrapped as PEM.
pem_flip_last() {
  local label
  label=$(head -1 "$1" | sed -E 's/-----BEGIN (.*)-----/\1/')
  sed '1d;$d' "$1" | openssl base64 -d >der.bin
  flip_byte der.bin -1
  { echo "-----BEGIN $label-----"; openssl base64 -e <der.bin; echo "-----END $label-----"; } >"$2"
}

mode_of() { stat -c %a "$1"; }

oid_of() {
  case $1 in
    falcon512) echo 1.3.9999.3.11 ;;
    falcon1024) echo 1.3.9999.3.14 ;;
    mlkem512) echo 2.16.840.1.101.3.4.4.1 ;;
    mlkem768) echo 2.16.840.1.101.3.4.4.2 ;;
    mlkem1024) echo 2.16.840.1.101.3.4.4.3 ;;
    hybrid|hybrid-sig) echo 2.25.5445952541388287336678472237821206818.1.1 ;;
    hybrid-kem) echo 2.25.5445952541388287336678472237821206818.1.2 ;;
    ecdsa-p256) echo id-ecPublicKey ;;
  esac
}

check_pem_files() {  # ALG SK PK
  local oid
  oid=$(oid_of "$1")
  for f in "$2" "$3"; do
    openssl asn1parse -in "$f" >asn1.txt 2>&1 || fail "openssl asn1parse rejected $1 file $f: $(cat asn1.txt)"
    grep -Eq "OBJECT +:$oid\$" asn1.txt || fail "$f does not show OID $oid: $(head -5 asn1.txt)"
  done
  if [ "$1" = ecdsa-p256 ]; then grep -q prime256v1 asn1.txt || fail "no prime256v1 in $3"; fi
}

# ---- signatures: every algorithm, both key formats ----
for alg in falcon1024 falcon512 ecdsa-p256 hybrid; do
  for fmt in raw pem; do
    sk=$alg.$fmt.sk pk=$alg.$fmt.pk sig=$alg.$fmt.sig
    expect_rc 0 "$HM" key gen --alg $alg --format $fmt --out $sk --pub-out $pk
    [ "$(mode_of $sk)" = 600 ] || fail "$sk has mode $(mode_of $sk), want 600"
    [ "$fmt" = pem ] && check_pem_files $alg $sk $pk
    expect_rc 0 "$HM" sign --alg $alg --format $fmt --key $sk --in msg --out $sig
    expect_rc 0 "$HM" verify --alg $alg --format $fmt --pub $pk --in msg --sig $sig
    grep -q "signature valid" out.txt || fail "$alg/$fmt: no 'signature valid' line"

    cp msg msg.bad && flip_byte msg.bad 3
    expect_rc 1 "$HM" verify --alg $alg --format $fmt --pub $pk --in msg.bad --sig $sig
    [[ $ERR == "signature invalid: "* ]] || fail "$alg/$fmt: message of an invalid signature: $ERR"
    cp $sig sig.bad && flip_byte sig.bad $(( $(stat -c %s $sig) / 2 ))
    expect_rc 1 "$HM" verify --alg $alg --format $fmt --pub $pk --in msg --sig sig.bad
    if [ $fmt = raw ]; then
      cp $pk pk.bad && flip_byte pk.bad -1
    else
      pem_flip_last $pk pk.bad
    fi
    expect_rc 1 "$HM" verify --alg $alg --format $fmt --pub pk.bad --in msg --sig $sig
    # A second key of the same algorithm does not verify the first key's signature.
    expect_rc 0 "$HM" key gen --alg $alg --format $fmt --out other.sk --pub-out other.pk --force
    expect_rc 1 "$HM" verify --alg $alg --format $fmt --pub other.pk --in msg --sig $sig
  done
  ok "$alg: key gen / sign / verify in raw and pem; tampered message, signature, key -> exit 1"
done

# hybrid-sig is an alias of hybrid for signatures; the hybrid signature is DER with two halves.
expect_rc 0 "$HM" verify --alg hybrid-sig --pub hybrid.pem.pk --in msg --sig hybrid.pem.sig
openssl asn1parse -inform DER -in hybrid.pem.sig >asn1.txt || fail "hybrid signature is not DER"
[ "$(grep -c 'BIT STRING' asn1.txt)" = 2 ] || fail "hybrid signature: want 2 BIT STRINGs"
[ "$(od -An -tx1 -N1 falcon1024.raw.sig | tr -d ' ')" = 3a ] || fail "Falcon-1024 header not 0x3a"
ok "hybrid signature is DER SEQUENCE { BIT STRING, BIT STRING }; Falcon-1024 header 0x3a"

# Cross-algorithm: a Falcon-512 signature or key where Falcon-1024 is expected.
expect_rc 1 "$HM" verify --alg falcon1024 --format raw --pub falcon1024.raw.pk --in msg --sig falcon512.raw.sig
expect_rc 2 "$HM" verify --alg falcon1024 --pub falcon512.pem.pk --in msg --sig falcon512.pem.sig
grep -q "Falcon-512" err.txt || fail "wrong-algorithm key message: $ERR"
ok "Falcon-512 signature / key rejected by falcon1024"

# ---- KEMs ----
for alg in mlkem1024 mlkem768 mlkem512 hybrid; do
  for fmt in raw pem; do
    gen_alg=$alg; [ $alg = hybrid ] && gen_alg=hybrid-kem
    sk=$alg.$fmt.dk pk=$alg.$fmt.ek
    expect_rc 0 "$HM" key gen --alg $gen_alg --format $fmt --out $sk --pub-out $pk
    [ "$fmt" = pem ] && check_pem_files $gen_alg $sk $pk
    expect_rc 0 "$HM" kem encap --alg $alg --format $fmt --pub $pk --out ct --secret ss1
    expect_rc 0 "$HM" kem decap --alg $alg --format $fmt --key $sk --in ct --secret ss2
    for f in $sk ss1 ss2; do [ "$(mode_of $f)" = 600 ] || fail "$f has mode $(mode_of $f)"; done
    [ "$(stat -c %s ss1)" = 32 ] || fail "shared secret is not 32 bytes"
    cmp -s ss1 ss2 || fail "$alg/$fmt: encap and decap secrets differ"
    # A modified ciphertext decapsulates (implicit rejection) to another secret.
    cp ct ct.bad && flip_byte ct.bad -1
    expect_rc 0 "$HM" kem decap --alg $alg --format $fmt --key $sk --in ct.bad --secret ss3
    cmp -s ss1 ss3 && fail "$alg/$fmt: a modified ciphertext gave the same secret"
    head -c 100 ct >ct.short
    expect_rc 1 "$HM" kem decap --alg $alg --format $fmt --key $sk --in ct.short --secret ss3
  done
  ok "$alg KEM: encap/decap secrets equal in raw and pem; modified ciphertext -> other secret"
done
if [ "$(stat -c %s hybrid.raw.ek)" != 1600 ] || [ "$(stat -c %s hybrid.raw.dk)" != 3200 ]; then
  fail "hybrid KEM raw key sizes"
fi
expect_rc 0 "$HM" kem encap --alg hybrid-kem --format raw --pub hybrid.raw.ek --out ct --secret ss1
[ "$(stat -c %s ct)" = 1600 ] || fail "hybrid KEM ciphertext is not 1600 bytes"
ok "hybrid KEM raw sizes: ek 1600, dk 3200, ciphertext 1600"

# ---- ECDSA interoperability with openssl ----
expect_rc 0 "$HM" sign --alg ecdsa-p256 --key ecdsa-p256.pem.sk --in msg --out hm.sig
openssl dgst -sha256 -verify ecdsa-p256.pem.pk -signature hm.sig msg >/dev/null \
  || fail "openssl dgst rejected an hm ECDSA signature"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ossl.sk 2>/dev/null
chmod 600 ossl.sk
openssl pkey -in ossl.sk -pubout -out ossl.pk
openssl dgst -sha256 -sign ossl.sk -out ossl.sig msg
expect_rc 0 "$HM" verify --alg ecdsa-p256 --pub ossl.pk --in msg --sig ossl.sig
expect_rc 0 "$HM" sign --alg ecdsa-p256 --key ossl.sk --in msg --out hm2.sig
openssl dgst -sha256 -verify ossl.pk -signature hm2.sig msg >/dev/null \
  || fail "openssl dgst rejected hm's signature with an openssl key"
expect_rc 1 "$HM" verify --alg ecdsa-p256 --pub ossl.pk --in msg.bad --sig ossl.sig
ok "ECDSA: hm -> openssl dgst and openssl -> hm verify"

# ---- usage errors: exit 2, one line ----
expect_rc 2 "$HM" sign --key falcon1024.pem.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg rsa --key falcon1024.pem.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg mlkem1024 --key mlkem1024.pem.dk --in msg --out x.sig
expect_rc 2 "$HM" kem encap --alg falcon1024 --pub falcon1024.pem.pk --out ct --secret ss
expect_rc 2 "$HM" sign --alg falcon1024 --format der --key falcon1024.pem.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg falcon1024 --key missing.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg falcon1024 --key falcon1024.pem.sk --in missing.msg --out x.sig
expect_rc 2 "$HM" sign --alg falcon1024 --format raw --key falcon1024.pem.sk --in msg --out x.sig
grep -q "format pem" err.txt || fail "no hint for a PEM file read as raw: $ERR"
expect_rc 2 "$HM" sign --alg falcon1024 --format pem --key falcon1024.raw.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg falcon1024 --key falcon512.pem.sk --in msg --out x.sig
expect_rc 2 "$HM" sign --alg hybrid --key falcon1024.pem.sk --in msg --out x.sig
expect_rc 2 "$HM" verify --alg falcon1024 --pub falcon1024.pem.sk --in msg --sig falcon1024.pem.sig
expect_rc 2 "$HM" verify --alg falcon1024 --pub falcon1024.pem.pk --in msg --sig missing.sig
expect_rc 2 "$HM" verify --alg ecdsa-p256 --format raw --pub falcon1024.raw.pk --in msg --sig hm.sig
expect_rc 2 "$HM" kem decap --alg mlkem1024 --key mlkem512.pem.dk --in ct --secret ss
cp falcon1024.pem.sk open.sk && chmod 644 open.sk
expect_rc 2 "$HM" sign --alg falcon1024 --key open.sk --in msg --out x.sig
grep -q "644\|group\|others\|mode" err.txt || fail "group-readable key message: $ERR"
expect_rc 2 "$HM" key gen --alg falcon1024 --out falcon1024.pem.sk --pub-out new.pk
grep -q -- "--force" err.txt || fail "overwrite refusal does not mention --force: $ERR"
[ ! -e new.pk ] || fail "key gen wrote a public key after refusing"
expect_rc 2 "$HM" key gen --alg falcon1024 --out same --pub-out same
expect_rc 2 "$HM" key gen --alg falcon1024 --out nodir/sk --pub-out nodir/pk --format xml
ok "usage errors exit 2 with one stderr line"
# Unknown flags are rejected by the CLI parser itself (exit 2 as well).
rc=0; "$HM" sign --alg falcon1024 --bogus-flag >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "unknown flag: exit $rc, expected 2"

# Overwriting with --force replaces both files.
before=$(sha256sum falcon1024.pem.pk)
expect_rc 0 "$HM" key gen --alg falcon1024 --out falcon1024.pem.sk --pub-out falcon1024.pem.pk --force
[ "$(sha256sum falcon1024.pem.pk)" != "$before" ] || fail "--force did not replace the key"
[ "$(mode_of falcon1024.pem.sk)" = 600 ] || fail "replaced secret key is not 0600"
ok "--force replaces existing key files"

# Operation failures (not usage): a missing output directory exits 1.
expect_rc 1 "$HM" sign --alg falcon1024 --key falcon1024.pem.sk --in msg --out nodir/x.sig
ok "write failure exits 1"

"$HM" --help | grep -q "hybrid (= hybrid-sig" || fail "hm --help does not explain hybrid"
"$HM" --help | grep -q "hybrid (= hybrid-kem" || fail "hm --help does not explain hybrid for kem"
ok "hm --help documents hybrid"
