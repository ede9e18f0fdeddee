#include "stoq/pq/key_schedule.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace hm::stoq::pq {
namespace {

using base::Bytes;
using base::HexEncode;

std::string Hmac(base::ByteSpan key, std::string_view data) {
  return HexEncode(HmacSha256(key, base::AsBytes(data)));
}

// RFC 4231 test cases 1, 2 and 6 (short key, short text, key longer than a block).
TEST(PqKeyScheduleTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(Hmac(Bytes(20, 0x0b), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hmac(base::AsBytes("Jefe"), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hmac(Bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// HKDF-Expand written out with HMAC (RFC 5869 §2.3), as an independent check of the OpenSSL
// KDF path that MixTrafficSecret and DerivePqSecret use.
Bytes ExpandByHand(base::ByteSpan prk, base::ByteSpan info, size_t len) {
  Bytes out, t;
  for (uint8_t i = 1; out.size() < len; ++i) {
    Bytes in = t;
    in.insert(in.end(), info.begin(), info.end());
    in.push_back(i);
    const crypto::Digest32 block = HmacSha256(prk, in);
    t.assign(block.begin(), block.end());
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(len);
  return out;
}

TEST(PqKeyScheduleTest, MixTrafficSecretKeepsLengthAndChangesSecret) {
  const Bytes pq(32, 0x5a);
  for (size_t len : {32u, 48u}) {
    const Bytes current(len, 0x3c);
    const Bytes mixed = MixTrafficSecret(current, pq);
    EXPECT_EQ(mixed.size(), len);
    EXPECT_NE(mixed, current);
    EXPECT_EQ(MixTrafficSecret(current, pq), mixed);  // deterministic
    const crypto::Digest32 prk = HmacSha256(pq, current);
    EXPECT_EQ(mixed, ExpandByHand(prk, base::AsBytes(kMixedSecretLabel), len));
  }
  const Bytes current(32, 0x3c);
  EXPECT_NE(MixTrafficSecret(current, Bytes(32, 0x5b)), MixTrafficSecret(current, pq));
  EXPECT_NE(MixTrafficSecret(Bytes(32, 0x3d), pq), MixTrafficSecret(current, pq));
}

TEST(PqKeyScheduleTest, PqSecretAndConfirmFollowTheSpec) {
  const Bytes exporter(32, 0xe0), ss_s(32, 0x01), ss_c(32, 0x02);
  const crypto::Digest32 th = crypto::Sha256(base::AsBytes("transcript"));
  const Bytes secret = DerivePqSecret(exporter, ss_s, ss_c, th);

  Bytes ikm = ss_s;
  ikm.insert(ikm.end(), ss_c.begin(), ss_c.end());
  Bytes info = base::ToBytes(kPqSecretLabel);
  info.insert(info.end(), th.begin(), th.end());
  EXPECT_EQ(secret, ExpandByHand(HmacSha256(exporter, ikm), info, 32));
  // The order of the two shared secrets matters.
  EXPECT_NE(DerivePqSecret(exporter, ss_c, ss_s, th), secret);

  Bytes confirm_input = base::ToBytes(kConfirmLabel);
  confirm_input.insert(confirm_input.end(), th.begin(), th.end());
  EXPECT_EQ(ConfirmMac(secret, th), HmacSha256(secret, confirm_input));
}

TEST(PqKeyScheduleTest, SignedMessagesAreLabelThenHash) {
  const Bytes t = base::ToBytes("T1");
  const crypto::Digest32 h = crypto::Sha256(t);
  Bytes expected = base::ToBytes("hypermesh stoq/1 server signature");
  expected.insert(expected.end(), h.begin(), h.end());
  EXPECT_EQ(ServerSignedMessage(t), expected);
  EXPECT_NE(ClientSignedMessage(t), ServerSignedMessage(t));
  EXPECT_EQ(ClientSignedMessage(t).size(),
            std::string_view("hypermesh stoq/1 client signature").size() + 32);
}

}  // namespace
}  // namespace hm::stoq::pq
