// Feeds arbitrary datagrams to a STOQ server Endpoint: version/CID parsing, Initial acceptance,
// Retry tokens, stateless resets, and (after a genuine client Initial) the handshake path with
// junk mixed in. Input: records of [u8 flags][u16 length][bytes]; flag bit 0 replays the real
// client Initial first, bits 1-2 pick the source port, bit 3 advances the clock by 200 ms.
#include <cstdint>
#include <cstdlib>
#include <deque>

#include "net/test_certs.h"
#include "stoq/connection.h"
#include "stoq/endpoint.h"

namespace {

using namespace hm;

struct Sink final : stoq::PacketSink {
  base::Bytes scratch = base::Bytes(kScratchBytes);
  std::deque<base::Bytes> sent;
  void Send(const sockaddr_in6&, base::ByteSpan bytes, size_t) override {
    if (sent.size() < 64) sent.emplace_back(bytes.begin(), bytes.end());
  }
  std::span<uint8_t> Scratch() override { return scratch; }
};

sockaddr_in6 Addr(uint16_t port) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(port);
  return a;
}

struct Fixture {
  net::testing::TempDir dir;
  std::shared_ptr<stoq::TlsCredentials> server, client;
  base::Bytes initial;  // a real client Initial datagram
  Fixture() {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    auto files = net::testing::WriteCertFiles(dir, *cert);
    server = *stoq::TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
    client = *stoq::TlsCredentials::ForClient("", "", "");
    base::SeededRandom random(1);
    auto conn = stoq::Connection::NewClient(stoq::ConnectionOptions{}, *client, "localhost", {"h3"},
                                            stoq::Path{Addr(5000), Addr(4433)}, nullptr, random,
                                            1'000'000'000);
    Sink sink;
    if (conn.ok() && (*conn)->Write(sink, 1'000'000'000).ok() && !sink.sent.empty()) {
      initial = sink.sent.front();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fx = new Fixture();
  base::SeededRandom random(7);
  stoq::EndpointOptions o;
  o.alpns = {"h3"};
  o.retry_threshold = 1;
  o.max_connections = 4;
  stoq::Endpoint endpoint(o, fx->server, nullptr, random, base::Bytes(32, 1));
  Sink sink;
  stoq::Timestamp now = 1'000'000'000;
  size_t i = 0;
  while (i + 3 <= size) {
    const uint8_t flags = data[i];
    const size_t len = std::min<size_t>((size_t{data[i + 1]} << 8) | data[i + 2], size - i - 3);
    const base::ByteSpan payload(data + i + 3, len);
    i += 3 + len;
    const stoq::Path path{Addr(4433), Addr(static_cast<uint16_t>(5000 + ((flags >> 1) & 3)))};
    if ((flags & 1) && !fx->initial.empty()) endpoint.OnDatagram(path, fx->initial, now, sink);
    endpoint.OnDatagram(path, payload, now, sink);
    if (flags & 8) now += 200'000'000;
    endpoint.OnTimer(now, sink);
    sink.sent.clear();
  }
  return 0;
}
