// Strict decoding: every malformed key or signature class is rejected with InvalidArgument.
#include "crypto/falcon/codec.h"

#include <array>

#include <gtest/gtest.h>

#include "base/random.h"
#include "crypto/falcon/falcon.h"

namespace hm::crypto::falcon {
namespace {

using base::Bytes;
using base::Code;

// Body of a signature (after header and nonce) for an explicit bit string.
Bytes BitsToBytes(const std::string& bits) {
  Bytes out((bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == '1') out[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  return out;
}

// Encoding of coefficient v: sign, 7 low bits, unary high part.
std::string CoeffBits(int v) {
  const unsigned t = static_cast<unsigned>(v < 0 ? -v : v);
  std::string s = v < 0 ? "1" : "0";
  for (int i = 6; i >= 0; --i) s += ((t >> i) & 1) ? '1' : '0';
  s += std::string(t >> 7, '0') + "1";
  return s;
}

Bytes MakeSig(Variant v, const Bytes& body, uint8_t header = 0) {
  Bytes sig;
  sig.push_back(header ? header : static_cast<uint8_t>(0x30 + LogN(v)));
  sig.insert(sig.end(), kNonceSize, 0x11);
  sig.insert(sig.end(), body.begin(), body.end());
  return sig;
}

class FalconCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base::SeededRandom rng(7);
    auto kp = KeyGen(Variant::kFalcon512, rng);
    ASSERT_TRUE(kp.ok());
    kp_ = *kp;
    auto sig = Sign(Variant::kFalcon512, kp_.secret_key, msg_, rng);
    ASSERT_TRUE(sig.ok());
    sig_ = *sig;
    ASSERT_TRUE(Verify(Variant::kFalcon512, kp_.public_key, msg_, sig_).ok());
  }
  Code VerifyCode(const Bytes& sig) const {
    return Verify(Variant::kFalcon512, kp_.public_key, msg_, sig).code();
  }
  KeyPair kp_;
  Bytes msg_ = base::ToBytes("strict decoding");
  Bytes sig_;
};

TEST_F(FalconCodecTest, CompressedRoundTrip) {
  std::array<int16_t, 512> s2{}, back{};
  for (size_t i = 0; i < s2.size(); ++i) s2[i] = static_cast<int16_t>((i * 37) % 4095) - 2047;
  auto enc = internal::CompEncode(s2.data(), 9);
  ASSERT_TRUE(enc.has_value());
  EXPECT_EQ(internal::CompDecode(*enc, 9, back.data()), enc->size());
  EXPECT_EQ(s2, back);
  s2[3] = 2048;
  EXPECT_FALSE(internal::CompEncode(s2.data(), 9).has_value());
}

TEST_F(FalconCodecTest, RejectsMinusZero) {
  std::string bits = "10000000" "1";  // sign set, value 0
  for (int i = 1; i < 512; ++i) bits += CoeffBits(0);
  std::array<int16_t, 512> x{};
  EXPECT_EQ(internal::CompDecode(BitsToBytes(bits), 9, x.data()), 0u);
  EXPECT_EQ(VerifyCode(MakeSig(Variant::kFalcon512, BitsToBytes(bits))), Code::kInvalidArgument);
  // The same with a positive zero decodes.
  bits[0] = '0';
  EXPECT_NE(internal::CompDecode(BitsToBytes(bits), 9, x.data()), 0u);
}

TEST_F(FalconCodecTest, RejectsHighPartOverflow) {
  std::string bits = "0" "1111111" + std::string(16, '0') + "1";  // 127 + 16*128 = 2175
  for (int i = 1; i < 512; ++i) bits += CoeffBits(1);
  std::array<int16_t, 512> x{};
  EXPECT_EQ(internal::CompDecode(BitsToBytes(bits), 9, x.data()), 0u);
  // 15 zeros (= 2047) is the largest accepted value.
  std::string ok = "0" "1111111" + std::string(15, '0') + "1";
  for (int i = 1; i < 512; ++i) ok += CoeffBits(1);
  EXPECT_NE(internal::CompDecode(BitsToBytes(ok), 9, x.data()), 0u);
  EXPECT_EQ(x[0], 2047);
}

TEST_F(FalconCodecTest, RejectsNonZeroPaddingBits) {
  std::string bits;
  for (int i = 0; i < 512; ++i) bits += CoeffBits(i % 3 - 1);  // 9 bits each: 4608 bits
  bits += "0";  // make the last byte partial: add one extra coefficient bit? no: pad below
  bits.pop_back();
  ASSERT_EQ(bits.size() % 8, 0u);
  // Replace the last coefficient by a 10-bit one so 6 padding bits remain.
  bits = bits.substr(0, bits.size() - 9) + CoeffBits(200);
  Bytes body = BitsToBytes(bits);
  std::array<int16_t, 512> x{};
  ASSERT_EQ(internal::CompDecode(body, 9, x.data()), body.size());
  body.back() |= 0x01;
  EXPECT_EQ(internal::CompDecode(body, 9, x.data()), 0u);
  EXPECT_EQ(VerifyCode(MakeSig(Variant::kFalcon512, body)), Code::kInvalidArgument);
}

TEST_F(FalconCodecTest, RejectsWrongHeaderTruncationAndTrailingBytes) {
  Bytes bad = sig_;
  bad[0] = 0x3A;  // Falcon-1024 header on a Falcon-512 signature
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
  bad[0] = 0x29;  // round-3 nist.c inner header, not a detached signature
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
  bad = sig_;
  bad.pop_back();
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
  bad = sig_;
  bad.push_back(0);
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
  EXPECT_EQ(VerifyCode(Bytes(sig_.begin(), sig_.begin() + 41)), Code::kInvalidArgument);
  EXPECT_EQ(VerifyCode(Bytes{}), Code::kInvalidArgument);
}

TEST_F(FalconCodecTest, PaddedFormat) {
  auto padded = ToPadded(Variant::kFalcon512, sig_);
  if (!padded.ok()) GTEST_SKIP() << "signature longer than the padded size";
  ASSERT_EQ(padded->size(), kFalcon512PaddedSignatureSize);
  EXPECT_EQ(VerifyCode(*padded), Code::kOk);
  Bytes bad = *padded;
  bad.back() = 1;  // non-zero padding
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
  bad = *padded;
  bad.push_back(0);  // longer than the padded size
  EXPECT_EQ(VerifyCode(bad), Code::kInvalidArgument);
}

TEST_F(FalconCodecTest, OverNormSignatureIsUnauthenticated) {
  std::array<int16_t, 512> s2{};
  s2.fill(2000);
  auto body = internal::CompEncode(s2.data(), 9);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(VerifyCode(MakeSig(Variant::kFalcon512, *body)), Code::kUnauthenticated);
  s2.fill(0);  // well-formed but wrong
  body = internal::CompEncode(s2.data(), 9);
  EXPECT_EQ(VerifyCode(MakeSig(Variant::kFalcon512, *body)), Code::kUnauthenticated);
}

TEST_F(FalconCodecTest, RejectsMalformedPublicKeys) {
  Bytes pk = kp_.public_key;
  pk[0] = 0x0A;
  EXPECT_EQ(Verify(Variant::kFalcon512, pk, msg_, sig_).code(), Code::kInvalidArgument);
  pk = kp_.public_key;
  pk.pop_back();
  EXPECT_EQ(Verify(Variant::kFalcon512, pk, msg_, sig_).code(), Code::kInvalidArgument);
  pk = kp_.public_key;
  pk.push_back(0);
  EXPECT_EQ(Verify(Variant::kFalcon512, pk, msg_, sig_).code(), Code::kInvalidArgument);
  pk = kp_.public_key;
  pk[1] = 0xFF;  // first coefficient >= 0x3FC0 > q
  pk[2] |= 0xFC;
  EXPECT_EQ(Verify(Variant::kFalcon512, pk, msg_, sig_).code(), Code::kInvalidArgument);
  std::array<uint16_t, 512> h{};
  h.fill(12288);  // q - 1 is the largest valid coefficient
  Bytes enc(896);
  internal::ModqEncode(h.data(), 9, enc.data());
  EXPECT_TRUE(internal::ModqDecode(enc, 9, h.data()));
  h[5] = 12289;
  internal::ModqEncode(h.data(), 9, enc.data());
  EXPECT_FALSE(internal::ModqDecode(enc, 9, h.data()));
}

TEST_F(FalconCodecTest, RejectsMalformedSecretKeys) {
  base::SeededRandom rng(1);
  Bytes sk = kp_.secret_key;
  sk[0] = 0x5A;
  EXPECT_EQ(Sign(Variant::kFalcon512, sk, msg_, rng).status().code(), Code::kInvalidArgument);
  sk = kp_.secret_key;
  sk.push_back(0);
  EXPECT_EQ(Sign(Variant::kFalcon512, sk, msg_, rng).status().code(), Code::kInvalidArgument);
  sk = kp_.secret_key;
  sk[1] = 0x80;  // f[0] = -32 = -2^(6-1): never a valid 6-bit coefficient
  sk[1] &= 0x83;
  EXPECT_EQ(Sign(Variant::kFalcon512, sk, msg_, rng).status().code(), Code::kInvalidArgument);
  sk = kp_.secret_key;
  sk[1 + 384 + 384] ^= 0x01;  // F no longer matches f, g
  EXPECT_EQ(SigningKey::Load(Variant::kFalcon512, sk).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::crypto::falcon
