#include "stoq/pq/handshake.h"

#include <gtest/gtest.h>

#include <utility>

#include "base/random.h"
#include "stoq/pq/testing/pq_fixture.h"

namespace hm::stoq::pq {
namespace {

using base::Bytes;
using testing::AcceptAs;
using testing::Fixed;

// Everything a pair of endpoints is built from; defaults are the fixed, matching setup.
struct PairSetup {
  Bytes client_exporter = Fixed().exporter;
  Bytes server_exporter = Fixed().exporter;
  crypto::falcon::SigningKey client_key = Fixed().client.signing_key;
  crypto::falcon::SigningKey server_key = Fixed().server.signing_key;
  PeerVerifier client_verifier = AcceptAs(Fixed().server.public_key);  // checks the server
  PeerVerifier server_verifier = AcceptAs(Fixed().client.public_key);  // checks the client
  uint64_t client_seed = testing::kClientRandomSeed;
  uint64_t server_seed = testing::kServerRandomSeed;
};

struct Session {
  explicit Session(PairSetup s = {})
      : client_random(s.client_seed),
        server_random(s.server_seed),
        client(s.client_exporter, s.client_key, std::move(s.client_verifier), {Bytes{0x30, 0x00}},
               client_random),
        server(s.server_exporter, s.server_key, std::move(s.server_verifier), {Bytes{0x30, 0x00}},
               server_random) {}

  base::SeededRandom client_random;
  base::SeededRandom server_random;
  ClientHandshake client;
  ServerHandshake server;
};

// The four frames of a run that is expected to succeed.
struct Frames {
  Bytes ch, sh, cf, sc;
};

Frames RunToCompletion(Session& s) {
  Frames f;
  auto ch = s.client.Start();
  EXPECT_TRUE(ch.ok()) << ch.status().ToString();
  f.ch = *ch;
  auto sh = s.server.OnBytes(f.ch);
  EXPECT_TRUE(sh.ok()) << sh.status().ToString();
  f.sh = *sh;
  auto cf = s.client.OnBytes(f.sh);
  EXPECT_TRUE(cf.ok()) << cf.status().ToString();
  f.cf = *cf;
  auto sc = s.server.OnBytes(f.cf);
  EXPECT_TRUE(sc.ok()) << sc.status().ToString();
  f.sc = *sc;
  auto rest = s.client.OnBytes(f.sc);
  EXPECT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_TRUE(rest.ok() && rest->empty());
  return f;
}

uint64_t FailureCode(const Handshake& h) { return h.failure() ? h.failure()->app_error_code : 0; }

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(PqHandshakeTest, FullExchangeAgreesOnTheSecret) {
  Session s;
  const Frames f = RunToCompletion(s);
  EXPECT_EQ(f.ch.size(), 5u + kClientHelloBodySize);
  EXPECT_EQ(f.sh.size(), 5u + kServerHelloBodySize);
  EXPECT_EQ(f.cf.size(), 5u + kClientFinishBodySize);
  EXPECT_EQ(f.sc.size(), 5u + kServerConfirmBodySize);
  ASSERT_TRUE(s.server.done());
  ASSERT_TRUE(s.client.done());  // only after the ServerConfirm MAC matched
  EXPECT_FALSE(s.client.failure().has_value());
  ASSERT_EQ(s.client.pq_secret().size(), 32u);
  EXPECT_TRUE(std::equal(s.client.pq_secret().begin(), s.client.pq_secret().end(),
                         s.server.pq_secret().begin(), s.server.pq_secret().end()));
  EXPECT_NE(Bytes(s.client.pq_secret().begin(), s.client.pq_secret().end()), Bytes(32, 0));
  EXPECT_TRUE(s.client.OnStreamEnd().ok());
  EXPECT_TRUE(s.server.OnStreamEnd().ok());

  // Fresh randomness gives a fresh secret.
  PairSetup other;
  other.client_seed = 7;
  other.server_seed = 8;
  Session s2(std::move(other));
  RunToCompletion(s2);
  ASSERT_TRUE(s2.client.done());
  EXPECT_NE(Bytes(s2.client.pq_secret().begin(), s2.client.pq_secret().end()),
            Bytes(s.client.pq_secret().begin(), s.client.pq_secret().end()));
}

TEST(PqHandshakeTest, SecretIsEmptyUntilDone) {
  Session s;
  auto ch = s.client.Start();
  ASSERT_TRUE(ch.ok());
  auto sh = s.server.OnBytes(*ch);
  ASSERT_TRUE(sh.ok());
  auto cf = s.client.OnBytes(*sh);
  ASSERT_TRUE(cf.ok());
  EXPECT_FALSE(s.client.done());
  EXPECT_TRUE(s.client.pq_secret().empty());  // not before ServerConfirm
}

TEST(PqHandshakeTest, BytesMayArriveOneAtATime) {
  Session s;
  auto ch = s.client.Start();
  ASSERT_TRUE(ch.ok());
  Bytes sh;
  for (uint8_t b : *ch) {
    auto out = s.server.OnBytes(Bytes{b});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    sh.insert(sh.end(), out->begin(), out->end());
  }
  ASSERT_EQ(sh.size(), 5u + kServerHelloBodySize);
  Bytes cf;
  for (uint8_t b : sh) {
    auto out = s.client.OnBytes(Bytes{b});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    cf.insert(cf.end(), out->begin(), out->end());
  }
  auto sc = s.server.OnBytes(cf);
  ASSERT_TRUE(sc.ok());
  for (uint8_t b : *sc) ASSERT_TRUE(s.client.OnBytes(Bytes{b}).ok());
  EXPECT_TRUE(s.client.done());
}

TEST(PqHandshakeTest, ServerSigningWithAnUncertifiedKeyIsBadSignature) {
  PairSetup setup;
  setup.server_key = testing::Intruder().signing_key;  // client expects Fixed().server
  Session s(std::move(setup));
  auto ch = s.client.Start();
  ASSERT_TRUE(ch.ok());
  auto sh = s.server.OnBytes(*ch);
  ASSERT_TRUE(sh.ok());
  auto cf = s.client.OnBytes(*sh);
  ASSERT_FALSE(cf.ok());
  EXPECT_EQ(cf.status().code(), base::Code::kUnauthenticated);
  EXPECT_EQ(FailureCode(s.client), kPqBadSignature);
}

TEST(PqHandshakeTest, ClientSigningWithAnUncertifiedKeyIsBadSignature) {
  PairSetup setup;
  setup.client_key = testing::Intruder().signing_key;
  Session s(std::move(setup));
  auto ch = s.client.Start();
  ASSERT_TRUE(ch.ok());
  auto sh = s.server.OnBytes(*ch);
  ASSERT_TRUE(sh.ok());
  auto cf = s.client.OnBytes(*sh);
  ASSERT_TRUE(cf.ok());
  EXPECT_FALSE(s.server.OnBytes(*cf).ok());
  EXPECT_EQ(FailureCode(s.server), kPqBadSignature);
  EXPECT_FALSE(s.server.done());
  EXPECT_TRUE(s.server.pq_secret().empty());
}

TEST(PqHandshakeTest, VerifierRejectionIsBadCertificate) {
  PairSetup client_side;
  client_side.client_verifier = testing::RejectAll("unknown issuer");
  Session s1(std::move(client_side));
  auto ch = s1.client.Start();
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(FailureCode(s1.client), kPqBadCertificate);
  EXPECT_NE(s1.client.failure()->reason.find("unknown issuer"), std::string::npos);

  PairSetup server_side;
  server_side.server_verifier = testing::RejectAll("expired");
  Session s2(std::move(server_side));
  ch = s2.client.Start();
  ASSERT_TRUE(ch.ok());
  EXPECT_FALSE(s2.server.OnBytes(*ch).ok());
  EXPECT_EQ(FailureCode(s2.server), kPqBadCertificate);
}

TEST(PqHandshakeTest, VerifierGivingNoFalcon1024KeyIsBadCertificate) {
  PairSetup setup;
  setup.client_verifier = AcceptAs(Bytes(897, 0x09));  // Falcon-512 sized garbage
  Session s(std::move(setup));
  EXPECT_FALSE(s.client.Start().ok());
  EXPECT_EQ(FailureCode(s.client), kPqBadCertificate);

  // A well-formed key of the other variant.
  base::SeededRandom random(5);
  auto falcon512 = crypto::falcon::KeyGen(crypto::falcon::Variant::kFalcon512, random);
  ASSERT_TRUE(falcon512.ok());
  PairSetup other;
  other.client_verifier = AcceptAs(falcon512->public_key, crypto::falcon::Variant::kFalcon512);
  Session s3(std::move(other));
  EXPECT_FALSE(s3.client.Start().ok());
  EXPECT_EQ(FailureCode(s3.client), kPqBadCertificate);
  ASSERT_TRUE(s3.client.failure().has_value());
  EXPECT_NE(s3.client.failure()->reason.find("not Falcon-1024"), std::string::npos)
      << s3.client.failure()->reason;

  PairSetup empty;
  empty.server_verifier = AcceptAs({});
  Session s2(std::move(empty));
  auto ch = s2.client.Start();
  ASSERT_TRUE(ch.ok());
  EXPECT_FALSE(s2.server.OnBytes(*ch).ok());
  EXPECT_EQ(FailureCode(s2.server), kPqBadCertificate);
}

// Messages recorded under exporter E1 are fed to endpoints of a session with E2 that are
// otherwise identical (same keys, same randomness): only the TLS binding differs.
TEST(PqHandshakeTest, ReplayIntoAnotherTlsSessionIsBadSignature) {
  Session recorded;
  const Frames f = RunToCompletion(recorded);
  ASSERT_TRUE(recorded.client.done());

  PairSetup other_tls;
  other_tls.client_exporter = testing::Exporter(0xe2);
  other_tls.server_exporter = testing::Exporter(0xe2);
  Session replay_to_client(other_tls);
  auto ch = replay_to_client.client.Start();
  ASSERT_TRUE(ch.ok());
  ASSERT_EQ(*ch, f.ch);  // same randomness: the ClientHello is byte-identical
  EXPECT_FALSE(replay_to_client.client.OnBytes(f.sh).ok());
  EXPECT_EQ(FailureCode(replay_to_client.client), kPqBadSignature);

  Session replay_to_server(other_tls);
  auto sh = replay_to_server.server.OnBytes(f.ch);
  ASSERT_TRUE(sh.ok());
  EXPECT_FALSE(replay_to_server.server.OnBytes(f.cf).ok());
  EXPECT_EQ(FailureCode(replay_to_server.server), kPqBadSignature);
}

TEST(PqHandshakeTest, TamperingIsDetected) {
  Session base_run;
  const Frames f = RunToCompletion(base_run);

  // A flipped bit in ct_c: the client's signature covers it.
  {
    Session s;
    ASSERT_TRUE(s.client.Start().ok());
    ASSERT_TRUE(s.server.OnBytes(f.ch).ok());
    Bytes cf = f.cf;
    cf[100] ^= 0x01;
    EXPECT_FALSE(s.server.OnBytes(cf).ok());
    EXPECT_EQ(FailureCode(s.server), kPqBadSignature);
  }
  // A flipped bit in the ServerConfirm MAC.
  {
    Session s;
    auto ch = s.client.Start();
    ASSERT_TRUE(ch.ok());
    auto sh = s.server.OnBytes(*ch);
    ASSERT_TRUE(sh.ok());
    auto cf = s.client.OnBytes(*sh);
    ASSERT_TRUE(cf.ok());
    auto sc = s.server.OnBytes(*cf);
    ASSERT_TRUE(sc.ok());
    Bytes bad = *sc;
    bad.back() ^= 0x80;
    auto r = s.client.OnBytes(bad);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(FailureCode(s.client), kPqBadConfirm);
    EXPECT_FALSE(s.client.done());
    EXPECT_TRUE(s.client.pq_secret().empty());
  }
}

TEST(PqHandshakeTest, MalformedMessages) {
  Session recorded;
  const Frames f = RunToCompletion(recorded);

  auto server_gets = [](const Bytes& bytes) {
    Session s;
    (void)s.server.OnBytes(bytes);
    return FailureCode(s.server);
  };
  // Truncated: one byte short, length field adjusted to match.
  Bytes truncated = f.ch;
  truncated.pop_back();
  truncated[4] = static_cast<uint8_t>(truncated[4] - 1);
  EXPECT_EQ(server_gets(truncated), kPqMalformed);
  // A trailing byte inside the frame.
  Bytes trailing = f.ch;
  trailing.push_back(0);
  trailing[4] = static_cast<uint8_t>(trailing[4] + 1);
  EXPECT_EQ(server_gets(trailing), kPqMalformed);
  // Oversize length: rejected from the 5 header bytes alone.
  EXPECT_EQ(server_gets(Bytes{0x40, 0x00, 0x00, 0x20, 0x01}), kPqMalformed);
  // Unknown type.
  Bytes unknown = f.ch;
  unknown[0] = 0x47;
  EXPECT_EQ(server_gets(unknown), kPqMalformed);
  // Version 2.
  Bytes v2 = f.ch;
  v2[6] = 2;
  EXPECT_EQ(server_gets(v2), kPqMalformed);
  // An encapsulation key that fails the FIPS 203 modulus check.
  Bytes bad_ek = f.ch;
  std::fill(bad_ek.begin() + 7, bad_ek.begin() + 7 + kKemKeySize, 0xff);
  EXPECT_EQ(server_gets(bad_ek), kPqMalformed);

  // The stream ends in the middle of the ServerHello.
  Session s;
  ASSERT_TRUE(s.client.Start().ok());
  ASSERT_TRUE(s.client.OnBytes(base::ByteSpan(f.sh).first(100)).ok());
  EXPECT_FALSE(s.client.OnStreamEnd().ok());
  EXPECT_EQ(FailureCode(s.client), kPqMalformed);
}

TEST(PqHandshakeTest, MessagesOutOfOrder) {
  Session recorded;
  const Frames f = RunToCompletion(recorded);

  {  // ClientFinish before ClientHello.
    Session s;
    EXPECT_FALSE(s.server.OnBytes(f.cf).ok());
    EXPECT_EQ(FailureCode(s.server), kPqUnexpectedMessage);
  }
  {  // A second ClientHello instead of ClientFinish.
    Session s;
    EXPECT_FALSE(s.server.OnBytes(Concat(f.ch, f.ch)).ok());
    EXPECT_EQ(FailureCode(s.server), kPqUnexpectedMessage);
  }
  {  // ServerConfirm before ServerHello.
    Session s;
    ASSERT_TRUE(s.client.Start().ok());
    EXPECT_FALSE(s.client.OnBytes(f.sc).ok());
    EXPECT_EQ(FailureCode(s.client), kPqUnexpectedMessage);
  }
  {  // The client's own message reflected back.
    Session s;
    auto ch = s.client.Start();
    ASSERT_TRUE(ch.ok());
    EXPECT_FALSE(s.client.OnBytes(*ch).ok());
    EXPECT_EQ(FailureCode(s.client), kPqUnexpectedMessage);
  }
  {  // Anything after the last message, even a single byte.
    Session s;
    const Frames g = RunToCompletion(s);
    ASSERT_TRUE(s.client.done());
    EXPECT_FALSE(s.client.OnBytes(Bytes{0x43}).ok());
    EXPECT_EQ(FailureCode(s.client), kPqUnexpectedMessage);
    EXPECT_FALSE(s.server.OnBytes(g.cf).ok());
    EXPECT_EQ(FailureCode(s.server), kPqUnexpectedMessage);
  }
}

TEST(PqHandshakeTest, FailuresAreSticky) {
  Session recorded;
  const Frames f = RunToCompletion(recorded);
  Session s;
  EXPECT_FALSE(s.server.OnBytes(f.sc).ok());
  ASSERT_EQ(FailureCode(s.server), kPqUnexpectedMessage);
  auto again = s.server.OnBytes(f.ch);  // valid now, but too late
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(FailureCode(s.server), kPqUnexpectedMessage);
  EXPECT_FALSE(s.server.OnStreamEnd().ok());
}

TEST(PqHandshakeTest, ErrorCodesAreTheDocumentedValues) {
  EXPECT_EQ(kPqMalformed, 0x5101u);
  EXPECT_EQ(kPqBadCertificate, 0x5102u);
  EXPECT_EQ(kPqBadSignature, 0x5103u);
  EXPECT_EQ(kPqBadConfirm, 0x5104u);
  EXPECT_EQ(kPqTimeout, 0x5105u);
  EXPECT_EQ(kPqUnexpectedMessage, 0x5106u);
  EXPECT_EQ(AppErrorName(kPqTimeout), "kPqTimeout");
}

}  // namespace
}  // namespace hm::stoq::pq
