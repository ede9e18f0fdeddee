// DNS over QUIC: DoqApplication's stream logic with a fake connection (byte-by-byte delivery,
// cancellation, flow control), then a real StoqServer on [::1] (port 0) serving "doq" with a test
// answer function, queried by DoqQuery and by a raw client that breaks RFC 9250 on purpose
// (non-zero ID, unidirectional stream, trailing bytes, FIN mid-message, zero length).
#include "stoq/doq.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/metrics.h"
#include "net/test_certs.h"
#include "net/udp_socket.h"
#include "stoq/client.h"
#include "stoq/server.h"

namespace hm::stoq {
namespace {

using namespace std::chrono_literals;

// qdcount values the test answer function reacts to.
constexpr uint16_t kAskDrop = 0xdd01;
constexpr uint16_t kAskReject = 0xdd02;
constexpr uint16_t kAskBig = 0xdd03;
constexpr size_t kBigAnswer = 60'000;

// A 12-byte header plus `extra` payload bytes; qdcount carries the test's instruction.
base::Bytes Query(uint16_t id, uint16_t qdcount = 1, size_t extra = 5) {
  base::Bytes q = {static_cast<uint8_t>(id >> 8),
                   static_cast<uint8_t>(id),
                   0x01,
                   0x00,
                   static_cast<uint8_t>(qdcount >> 8),
                   static_cast<uint8_t>(qdcount),
                   0,
                   0,
                   0,
                   0,
                   0,
                   0};
  for (size_t i = 0; i < extra; ++i) q.push_back(static_cast<uint8_t>('a' + i % 26));
  return q;
}

base::Bytes Framed(base::ByteSpan message) {
  base::Bytes f = {static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
  f.insert(f.end(), message.begin(), message.end());
  return f;
}

// Echoes the query with QR set (a big answer, a drop or a rejection on request).
DoqAnswer TestAnswer(base::ByteSpan query, std::span<uint8_t> out) {
  const uint16_t qd = static_cast<uint16_t>((query[4] << 8) | query[5]);
  if (qd == kAskDrop) return {DoqAnswer::Action::kDrop, 0, {}};
  if (qd == kAskReject) return {DoqAnswer::Action::kReject, 0, "test rejects this query"};
  size_t n = query.size();
  std::copy(query.begin(), query.end(), out.begin());
  if (qd == kAskBig) {
    for (size_t i = n; i < kBigAnswer; ++i) out[i] = static_cast<uint8_t>(i);
    n = kBigAnswer;
  }
  out[2] |= 0x80;
  return {DoqAnswer::Action::kReply, n, {}};
}

// ---- DoqApplication with a fake connection ----

struct FakeControl final : DoqStreamControl {
  std::map<int64_t, size_t> extended;
  std::vector<std::pair<int64_t, uint64_t>> resets;
  uint64_t error_code = 0;
  std::string error_reason;
  void ExtendStreamWindow(int64_t id, size_t n) override { extended[id] += n; }
  void ResetStream(int64_t id, uint64_t code) override { resets.emplace_back(id, code); }
  void SetApplicationError(uint64_t code, std::string reason) override {
    error_code = code;
    error_reason = std::move(reason);
  }
};

// Everything NextChunk offers for `id`, "written" in pieces of `step` bytes.
std::string Drain(DoqApplication& app, size_t step = 1000) {
  std::string out;
  for (int i = 0; i < 1000; ++i) {
    StreamChunk c;
    EXPECT_TRUE(app.NextChunk(&c).ok());
    if (c.stream_id < 0) break;
    EXPECT_TRUE(c.fin);
    const size_t n = std::min(step, c.vecs[0].len);
    out.append(reinterpret_cast<const char*>(c.vecs[0].base), n);
    EXPECT_TRUE(app.OnChunkWritten(c.stream_id, n).ok());
  }
  return out;
}

std::string Str(const base::Bytes& b) { return std::string(b.begin(), b.end()); }

TEST(DoqApplicationTest, AnswersAQueryDeliveredByteByByte) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  const base::Bytes framed = Framed(Query(0));
  for (size_t i = 0; i < framed.size(); ++i) {
    ASSERT_TRUE(app.OnStreamData(0, base::ByteSpan(&framed[i], 1), i + 1 == framed.size()).ok());
    if (i + 1 < framed.size()) {
      EXPECT_FALSE(app.Busy());
    }
  }
  EXPECT_TRUE(app.Busy());
  EXPECT_EQ(fc.extended[0], framed.size());
  base::Bytes want = Framed(Query(0));
  want[4] |= 0x80;  // QR
  EXPECT_EQ(Drain(app, 7), Str(want));
  EXPECT_FALSE(app.Busy());
  EXPECT_EQ(app.queries_answered(), 1u);
  EXPECT_TRUE(app.OnStreamClose(0, 0).ok());
  EXPECT_EQ(app.open_streams(), 0u);
}

TEST(DoqApplicationTest, AnswersBeforeALateFinAndToleratesIt) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  const base::Bytes framed = Framed(Query(0));
  ASSERT_TRUE(app.OnStreamData(4, framed, false).ok());
  EXPECT_TRUE(app.Busy());
  ASSERT_TRUE(app.OnStreamData(4, base::ByteSpan(), true).ok());
  EXPECT_EQ(fc.error_code, 0u);
}

TEST(DoqApplicationTest, ProtocolErrorsCloseTheConnection) {
  struct Case {
    const char* what;
    int64_t stream;
    base::Bytes bytes;
    bool fin;
    const char* reason;
  };
  base::Bytes trailing = Framed(Query(0));
  trailing.push_back(0);
  base::Bytes cut = Framed(Query(0));
  cut.pop_back();
  const Case cases[] = {
      {"non-zero ID", 0, Framed(Query(0x1234)), true, "message ID is 4660"},
      {"unidirectional stream", 2, Framed(Query(0)), true, "unidirectional"},
      {"trailing byte", 0, trailing, true, "after its query"},
      {"FIN mid-message", 0, cut, true, "before the whole query"},
      {"FIN inside the prefix", 0, {0x00}, true, "before the whole query"},
      {"zero length", 0, {0x00, 0x00}, false, "0-byte message"},
      {"shorter than a header", 0, {0x00, 0x05, 1, 2, 3, 4, 5}, true, "5-byte message"},
      {"answer function rejects", 0, Framed(Query(0, kAskReject)), true, "test rejects"},
  };
  for (const Case& c : cases) {
    FakeControl fc;
    DoqApplication app(fc, TestAnswer);
    base::Status s = app.OnStreamData(c.stream, c.bytes, c.fin);
    EXPECT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(fc.error_code, doq_error::kProtocolError) << c.what;
    EXPECT_NE(fc.error_reason.find(c.reason), std::string::npos)
        << c.what << ": " << fc.error_reason;
  }
}

TEST(DoqApplicationTest, BytesAfterTheAnswerAreAProtocolError) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  ASSERT_TRUE(app.OnStreamData(0, Framed(Query(0)), false).ok());
  const uint8_t more = 1;
  EXPECT_FALSE(app.OnStreamData(0, base::ByteSpan(&more, 1), true).ok());
  EXPECT_EQ(fc.error_code, doq_error::kProtocolError);
}

TEST(DoqApplicationTest, DropResetsTheStreamWithInternalError) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  ASSERT_TRUE(app.OnStreamData(8, Framed(Query(0, kAskDrop)), true).ok());
  ASSERT_EQ(fc.resets.size(), 1u);
  EXPECT_EQ(fc.resets[0], std::make_pair(int64_t{8}, doq_error::kInternalError));
  EXPECT_FALSE(app.Busy());
  EXPECT_EQ(Drain(app), "");
}

TEST(DoqApplicationTest, StopSendingCancelsTheResponse) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  ASSERT_TRUE(app.OnStreamData(0, Framed(Query(0, kAskBig)), true).ok());
  StreamChunk c;
  ASSERT_TRUE(app.NextChunk(&c).ok());
  ASSERT_EQ(c.stream_id, 0);
  EXPECT_EQ(c.vecs[0].len, kBigAnswer + 2);
  ASSERT_TRUE(app.OnChunkWritten(0, 1000).ok());
  ASSERT_TRUE(app.OnStopSending(0, doq_error::kRequestCancelled).ok());
  ASSERT_EQ(fc.resets.size(), 1u);
  EXPECT_EQ(fc.resets[0].second, doq_error::kRequestCancelled);
  EXPECT_FALSE(app.Busy());
  EXPECT_EQ(Drain(app), "");
}

TEST(DoqApplicationTest, FlowControlBlocksAndResumesOneStreamOnly) {
  FakeControl fc;
  DoqApplication app(fc, TestAnswer);
  ASSERT_TRUE(app.OnStreamData(0, Framed(Query(0, kAskBig)), true).ok());
  ASSERT_TRUE(app.OnStreamData(4, Framed(Query(0)), true).ok());
  app.OnStreamBlocked(0, /*write_shut=*/false);
  StreamChunk c;
  ASSERT_TRUE(app.NextChunk(&c).ok());
  EXPECT_EQ(c.stream_id, 4);  // the blocked stream is skipped
  ASSERT_TRUE(app.OnChunkWritten(4, c.vecs[0].len).ok());
  StreamChunk none;
  ASSERT_TRUE(app.NextChunk(&none).ok());
  EXPECT_EQ(none.stream_id, -1);
  EXPECT_TRUE(app.Busy());
  app.OnStreamWritable(0);
  EXPECT_EQ(Drain(app, 1200).size(), kBigAnswer + 2);
  EXPECT_FALSE(app.Busy());
}

TEST(DoqApplicationTest, ErrorNames) {
  EXPECT_EQ(DoqErrorName(0x2), "DOQ_PROTOCOL_ERROR");
  EXPECT_EQ(DoqErrorName(0x5), "DOQ_UNSPECIFIED_ERROR");
  EXPECT_EQ(DoqErrorName(0xd098ea5e), "DOQ_ERROR_RESERVED");
  EXPECT_EQ(DoqErrorName(0x6), "");
}

// ---- A real server ----

// Sends raw bytes on streams of the client's choice and records what comes back.
class RawApp final : public Application {
 public:
  explicit RawApp(Connection& conn) : conn_(conn) {}
  void Send(int64_t id, base::Bytes bytes, bool fin) {
    auto& s = streams_[id];
    s.out = std::move(bytes);
    s.fin = fin;
  }
  base::Status OnStreamData(int64_t id, base::ByteSpan data, bool fin) override {
    conn_.ExtendStreamWindow(id, data.size());
    auto& s = streams_[id];
    s.in.insert(s.in.end(), data.begin(), data.end());
    s.fin_in = s.fin_in || fin;
    return base::Status::Ok();
  }
  base::Status OnStreamAcked(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamClose(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStreamReset(int64_t, uint64_t) override { return base::Status::Ok(); }
  base::Status OnStopSending(int64_t, uint64_t) override { return base::Status::Ok(); }
  void OnStreamWritable(int64_t) override {}
  base::Status NextChunk(StreamChunk* out) override {
    for (auto& [id, s] : streams_) {
      if (s.done) continue;
      out->stream_id = id;
      out->fin = s.fin;
      out->vecs[0] = {s.out.data() + s.sent, s.out.size() - s.sent};
      out->count = s.out.size() > s.sent ? 1 : 0;
      return base::Status::Ok();
    }
    return base::Status::Ok();
  }
  base::Status OnChunkWritten(int64_t id, size_t n) override {
    auto& s = streams_[id];
    s.sent += n;
    if (s.sent == s.out.size()) s.done = true;  // with its FIN when it has one
    return base::Status::Ok();
  }
  void OnStreamBlocked(int64_t id, bool) override { streams_[id].done = true; }
  bool Finished(int64_t id) { return streams_[id].fin_in; }
  base::Bytes Received(int64_t id) { return streams_[id].in; }

 private:
  struct S {
    base::Bytes out, in;
    size_t sent = 0;
    bool fin = false, done = false, fin_in = false;
  };
  Connection& conn_;
  std::map<int64_t, S> streams_;
};

class DoqServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    auto files = net::testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok());
    auto cred = TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
    ASSERT_TRUE(cred.ok()) << cred.status().ToString();
    server_cred_ = *cred;
    auto client_cred = TlsCredentials::ForClient("", "", "");
    ASSERT_TRUE(client_cred.ok());
    client_.host = "::1";
    client_.server_name = "localhost";
    client_.credentials = *client_cred;
    StoqServerOptions so;
    so.port = 0;
    server_ = std::make_unique<StoqServer>(so, server_cred_, metrics_);
    ASSERT_TRUE(server_->RegisterAlpn(std::string(kAlpnDoq), DoqServerFactory(TestAnswer)).ok());
    ASSERT_TRUE(server_->Start().ok());
    client_.port = server_->port();
  }

  // Connects a raw "doq" client, lets `act` send, and returns how the connection ended.
  // `done` (default: never) ends the exchange early with OK.
  base::Status RawExchange(const std::function<void(Connection&, RawApp&)>& act,
                           const std::function<bool(RawApp&)>& done = nullptr) {
    RawApp* app = nullptr;
    ClientOptions o = client_;
    o.alpns = {std::string(kAlpnDoq)};
    auto c = Client::Connect(o, [&app](const std::string&, Connection& conn) {
      auto a = std::make_unique<RawApp>(conn);
      app = a.get();
      return a;
    });
    if (!c.ok()) return c.status();
    act((*c)->connection(), *app);
    return (*c)->RunUntil([&] { return done && done(*app); }, 5s);
  }

  net::testing::TempDir dir_;
  std::shared_ptr<TlsCredentials> server_cred_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<StoqServer> server_;
  ClientOptions client_;
};

TEST_F(DoqServerTest, DoqQueryGetsTheAnswerWithIdZero) {
  const base::Bytes query = Query(0xabcd);  // the client sends it as ID 0
  auto r = DoqQuery(client_, query, 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  base::Bytes want = query;
  want[0] = want[1] = 0;
  want[2] |= 0x80;
  EXPECT_EQ(*r, want);
}

TEST_F(DoqServerTest, LargeAnswersCrossManyPackets) {
  auto r = DoqQuery(client_, Query(0, kAskBig), 10s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), kBigAnswer);
  EXPECT_EQ((*r)[kBigAnswer - 1], static_cast<uint8_t>(kBigAnswer - 1));
}

TEST_F(DoqServerTest, ManyConcurrentQueriesOnOneConnection) {
  std::vector<int64_t> ids;
  std::vector<base::Bytes> got;  // copied out before the client (and its app) go away
  base::Status s = RawExchange(
      [&](Connection& conn, RawApp& app) {
        for (size_t i = 0; i < 20; ++i) {
          auto id = conn.OpenBidiStream();
          ASSERT_TRUE(id.ok());
          ids.push_back(*id);
          app.Send(*id, Framed(Query(0, 1, i)), true);
        }
      },
      [&](RawApp& app) {
        for (int64_t id : ids) {
          if (!app.Finished(id)) return false;
        }
        for (int64_t id : ids) got.push_back(app.Received(id));
        return true;
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    base::Bytes want = Framed(Query(0, 1, i));
    want[4] |= 0x80;
    EXPECT_EQ(got[i], want) << "stream " << ids[i];
  }
}

TEST_F(DoqServerTest, DropIsAStreamResetNamedInTheError) {
  auto r = DoqQuery(client_, Query(0, kAskDrop), 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("DOQ_INTERNAL_ERROR"), std::string_view::npos)
      << r.status().ToString();
}

TEST_F(DoqServerTest, RejectClosesTheConnectionWithProtocolError) {
  auto r = DoqQuery(client_, Query(0, kAskReject), 10s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("0x2 DOQ_PROTOCOL_ERROR: stream 0: test rejects"),
            std::string_view::npos)
      << r.status().ToString();
}

TEST_F(DoqServerTest, RawProtocolViolationsCloseWithDoqProtocolError) {
  struct Case {
    const char* what;
    bool uni;
    base::Bytes bytes;
    bool fin;
    const char* reason;
  };
  base::Bytes trailing = Framed(Query(0));
  trailing.insert(trailing.end(), {0, 1});
  base::Bytes cut = Framed(Query(0));
  cut.resize(cut.size() - 3);
  const Case cases[] = {
      {"non-zero ID", false, Framed(Query(7)), true, "message ID is 7"},
      {"unidirectional stream", true, Framed(Query(0)), true, "unidirectional"},
      {"trailing bytes", false, trailing, true, "after its query"},
      {"FIN mid-message", false, cut, true, "before the whole query"},
      {"zero length", false, {0, 0}, true, "0-byte message"},
  };
  for (const Case& c : cases) {
    base::Status s = RawExchange([&c](Connection& conn, RawApp& app) {
      auto id = c.uni ? conn.OpenUniStream() : conn.OpenBidiStream();
      ASSERT_TRUE(id.ok());
      app.Send(*id, c.bytes, c.fin);
    });
    EXPECT_EQ(s.code(), base::Code::kUnavailable) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find("application error 0x2"), std::string_view::npos)
        << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.reason), std::string_view::npos) << c.what << ": " << s.ToString();
  }
}

TEST_F(DoqServerTest, ServerWithoutDoqIsAClearHandshakeError) {
  StoqServerOptions so;
  so.port = 0;
  StoqServer other(so, server_cred_, metrics_);
  ASSERT_TRUE(other.RegisterAlpn("h3", DoqServerFactory(TestAnswer)).ok());
  ASSERT_TRUE(other.Start().ok());
  ClientOptions o = client_;
  o.port = other.port();
  auto r = DoqQuery(o, Query(0), 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not offer DNS over QUIC"), std::string_view::npos)
      << r.status().ToString();
  other.Shutdown();
}

TEST_F(DoqServerTest, SilentPortTimesOut) {
  net::UdpSocketOptions uo;
  uo.host = "::1";
  uo.port = 0;
  auto silent = net::UdpSocket::Open(uo);
  ASSERT_TRUE(silent.ok()) << silent.status().ToString();
  ClientOptions o = client_;
  o.port = (*silent)->port();
  auto r = DoqQuery(o, Query(0), 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_NE(r.status().message().find("timed out"), std::string_view::npos)
      << r.status().ToString();
}

TEST_F(DoqServerTest, BadQuerySizesAreRefusedLocally) {
  EXPECT_EQ(DoqQuery(client_, base::Bytes(11, 0), 1s).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(DoqQuery(client_, base::Bytes(65536, 0), 1s).status().code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::stoq
