#include "chain/merkle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace hm::chain {
namespace {

// The RFC 6962 reference tree (tests/vectors/merkle): roots for sizes 0..8.
TEST(MerkleTest, ReferenceTreeRoots) {
  std::ifstream in(HM_SOURCE_DIR "/tests/vectors/merkle/rfc6962_reference_tree.json");
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  std::vector<crypto::Digest32> leaf_hashes;
  for (const auto& input : j["leaf_inputs"]) {
    auto bytes = base::HexDecode(input.get<std::string>());
    ASSERT_TRUE(bytes.ok());
    leaf_hashes.push_back(MerkleLeafHash(*bytes));
  }
  ASSERT_EQ(leaf_hashes.size(), 8u);
  int checked = 0;
  for (size_t n = 0; n <= 8; ++n) {
    auto root = MerkleRootFromLeafHashes(std::span(leaf_hashes).first(n));
    EXPECT_EQ(base::HexEncode(root), j["roots_by_tree_size"][std::to_string(n)].get<std::string>())
        << "size " << n;
    ++checked;
  }
  EXPECT_EQ(checked, 9);
}

}  // namespace
}  // namespace hm::chain
