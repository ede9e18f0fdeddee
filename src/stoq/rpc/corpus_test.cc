// The fuzz seed corpus (fuzz/corpus/stoq_rpc/) holds valid frames. Run once with
// HM_WRITE_STOQ_RPC_CORPUS=1 to (re)write it; normally the test only checks that every seed still
// decodes, so a format change cannot leave the fuzzer with stale seeds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "stoq/rpc/builtins.h"
#include "stoq/rpc/messages.h"

namespace hm::stoq::rpc {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpusDir = fs::path(HM_SOURCE_DIR) / "fuzz" / "corpus" / "stoq_rpc";

std::map<std::string, Bytes> Seeds() {
  return {
      {"request_ping", *EncodeRequestFrame({"stoq.ping", 1000, base::ToBytes("hi")})},
      {"request_bulk", *EncodeRequestFrame({kMethodBulk, 0, EncodeBulkRequestPayload(4096)})},
      {"request_path", *EncodeRequestFrame({"svc/v1/get_thing", 30000, Bytes(40, 0xab)})},
      {"response_ok", *EncodeResponseFrame(Response::Ok(base::ToBytes("hi")))},
      {"response_not_found",
       *EncodeResponseFrame({RpcCode::kNotFound, "unknown method \"x\"", {}})},
  };
}

TEST(RpcCorpusTest, SeedsAreValidFrames) {
  if (std::getenv("HM_WRITE_STOQ_RPC_CORPUS") != nullptr) {
    fs::create_directories(kCorpusDir);
    for (const auto& [name, bytes] : Seeds()) {
      std::ofstream out(kCorpusDir / name, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ASSERT_TRUE(out.good()) << name;
    }
  }
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(kCorpusDir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const bool request = DecodeRequestFrame(bytes).ok();
    const bool response = DecodeResponseFrame(bytes).ok();
    EXPECT_TRUE(request || response) << entry.path();
    ++seen;
  }
  EXPECT_GE(seen, Seeds().size());
}

}  // namespace
}  // namespace hm::stoq::rpc
