// The seed corpus of the stoq_pq fuzz target (fuzz/corpus/stoq_pq/): a disabled test writes it,
// an enabled one checks that the committed files still drive both state machines to the end
// (so a format change that makes the seeds stale fails here, not silently in the fuzzer).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "base/random.h"
#include "stoq/pq/handshake.h"
#include "stoq/pq/testing/pq_fixture.h"

namespace hm::stoq::pq {
namespace {

using base::Bytes;

std::filesystem::path CorpusDir() {
  return std::filesystem::path(HM_SOURCE_DIR) / "fuzz/corpus/stoq_pq";
}

// File name -> contents. The fuzz target feeds every input to a fixed server and a fixed client,
// so "client_stream" takes the server to done and "server_stream" the client.
std::map<std::string, Bytes> Seeds() {
  const testing::Transcript t = testing::RecordFixedExchange();
  auto cat = [](Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  return {
      {"client_hello", t.client_hello},
      {"client_stream", cat(t.client_hello, t.client_finish)},
      {"server_hello", t.server_hello},
      {"server_stream", cat(t.server_hello, t.server_confirm)},
  };
}

Bytes ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Run once by hand after a format change:
//   hm_stoq_pq_test --gtest_also_run_disabled_tests --gtest_filter='PqSeedCorpus.DISABLED_Write'
TEST(PqSeedCorpus, DISABLED_Write) {
  std::filesystem::create_directories(CorpusDir());
  for (const auto& [name, bytes] : Seeds()) {
    std::ofstream out(CorpusDir() / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << name;
  }
}

TEST(PqSeedCorpus, CommittedSeedsAreCurrentAndReachTheEnd) {
  for (const auto& [name, bytes] : Seeds()) {
    EXPECT_TRUE(ReadFile(CorpusDir() / name) == bytes)  // not EXPECT_EQ: kilobytes of diff
        << name << " is missing or stale; rerun PqSeedCorpus.DISABLED_Write";
  }
  const testing::Fixture& f = testing::Fixed();
  {
    base::SeededRandom random(testing::kServerRandomSeed);
    ServerHandshake server(f.exporter, f.server.signing_key, testing::AcceptAs(f.client.public_key),
                           {}, random);
    auto out = server.OnBytes(ReadFile(CorpusDir() / "client_stream"));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TRUE(server.done());
  }
  {
    base::SeededRandom random(testing::kClientRandomSeed);
    ClientHandshake client(f.exporter, f.client.signing_key, testing::AcceptAs(f.server.public_key),
                           {}, random);
    ASSERT_TRUE(client.Start().ok());
    auto out = client.OnBytes(ReadFile(CorpusDir() / "server_stream"));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TRUE(client.done());
  }
}

}  // namespace
}  // namespace hm::stoq::pq
