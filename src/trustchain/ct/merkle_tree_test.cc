#include "trustchain/ct/merkle_tree.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/random.h"
#include "chain/merkle.h"

namespace hm::trustchain::ct {
namespace {

namespace fs = std::filesystem;
using base::Bytes;
using base::ByteSpan;

const fs::path kVectorDir = fs::path(HM_SOURCE_DIR) / "tests/vectors/merkle";

nlohmann::json LoadJson(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

Digest32 Hex32(const std::string& hex) {
  auto b = base::HexDecode(hex);
  EXPECT_TRUE(b.ok() && b->size() == 32) << hex;
  Digest32 d{};
  if (b.ok() && b->size() == 32) std::copy(b->begin(), b->end(), d.begin());
  return d;
}

Bytes B64(const nlohmann::json& v) {
  if (v.is_null()) return {};
  auto b = base::Base64Decode(v.get<std::string>());
  EXPECT_TRUE(b.ok()) << v;
  return b.ok() ? *b : Bytes{};
}

std::vector<Bytes> B64List(const nlohmann::json& v) {
  std::vector<Bytes> out;
  if (v.is_null()) return out;
  for (const auto& e : v) out.push_back(B64(e));
  return out;
}

std::vector<ByteSpan> Spans(const std::vector<Bytes>& v) { return {v.begin(), v.end()}; }

Digest32 LeafHashOf(uint64_t i) {
  uint8_t buf[8];
  for (int k = 0; k < 8; ++k) buf[k] = static_cast<uint8_t>(i >> (8 * k));
  return chain::MerkleLeafHash(buf);
}

// A store filled with leaves 0..n-1 (LeafHashOf).
struct Tree {
  explicit Tree(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      leaves.push_back(LeafHashOf(i));
      EXPECT_TRUE(AppendLeaf(store, i, leaves.back()).ok());
    }
  }
  MerkleTreeView View() const { return MerkleTreeView(store, leaves.size()); }
  Digest32 NaiveRoot(uint64_t n) const {
    return chain::MerkleRootFromLeafHashes(std::span(leaves).first(n));
  }
  MemoryNodeStore store;
  std::vector<Digest32> leaves;
};

// ---- RFC 6962 reference tree ----

class ReferenceTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ref_ = LoadJson(kVectorDir / "rfc6962_reference_tree.json");
    for (const auto& hex : ref_["leaf_inputs"]) {
      auto leaf = base::HexDecode(hex.get<std::string>());
      ASSERT_TRUE(leaf.ok());
      ASSERT_TRUE(AppendLeaf(store_, leaf_count_, chain::MerkleLeafHash(*leaf)).ok());
      ++leaf_count_;
    }
    ASSERT_EQ(leaf_count_, 8u);
  }
  nlohmann::json ref_;
  MemoryNodeStore store_;
  uint64_t leaf_count_ = 0;
};

TEST_F(ReferenceTreeTest, RootsForSizes0To8) {
  MerkleTreeView view(store_, leaf_count_);
  int checked = 0;
  for (auto& [size, hex] : ref_["roots_by_tree_size"].items()) {
    auto root = view.Root(std::stoull(size));
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, Hex32(hex.get<std::string>())) << "size " << size;
    ++checked;
  }
  EXPECT_EQ(checked, 9);
  EXPECT_EQ(view.Root(9).status().code(), base::Code::kOutOfRange);
}

TEST_F(ReferenceTreeTest, StoredNodesMatchEveryPerfectSubtree) {
  const auto& levels = ref_["node_hashes_by_level"]["levels"];
  int checked = 0;
  for (uint32_t level = 0; level < levels.size(); ++level) {
    for (uint64_t i = 0; i < levels[level].size(); ++i) {
      auto node = store_.GetNode(level, i);
      ASSERT_TRUE(node.ok() && node->has_value()) << level << "," << i;
      EXPECT_EQ(**node, Hex32(levels[level][i].get<std::string>()));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 15);  // 8 + 4 + 2 + 1
  EXPECT_EQ(store_.node_count(), 15u);
}

TEST_F(ReferenceTreeTest, InclusionProofsMatchAndVerify) {
  MerkleTreeView view(store_, leaf_count_);
  int checked = 0;
  for (const auto& v : ref_["inclusion_proofs"]) {
    const uint64_t index = v["leaf_index"], size = v["tree_size"];
    std::vector<Digest32> want;
    for (const auto& h : v["audit_path"]) want.push_back(Hex32(h));
    auto got = view.InclusionProof(index, size);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want) << index << "/" << size;
    EXPECT_TRUE(VerifyInclusion(Hex32(v["leaf_hash"]), index, size, want, Hex32(v["root"])).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST_F(ReferenceTreeTest, ConsistencyProofsMatchAndVerify) {
  MerkleTreeView view(store_, leaf_count_);
  int checked = 0;
  for (const auto& v : ref_["consistency_proofs"]) {
    const uint64_t m = v["first"], n = v["second"];
    std::vector<Digest32> want;
    for (const auto& h : v["proof"]) want.push_back(Hex32(h));
    auto got = view.ConsistencyProof(m, n);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want) << m << "->" << n;
    EXPECT_TRUE(
        VerifyConsistency(m, n, Hex32(v["first_root"]), Hex32(v["second_root"]), want).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

// ---- transparency-dev golden files: every valid one verifies, every must-fail one is rejected

struct GoldenCounts {
  int valid = 0;
  int rejected = 0;
};

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenVectorsTest, Inclusion) {
  GoldenCounts counts;
  for (const auto& path : JsonFiles(kVectorDir / "transparency-dev-merkle/inclusion")) {
    const auto v = LoadJson(path);
    const auto proof = B64List(v["proof"]);
    const Bytes leaf = B64(v["leafHash"]), root = B64(v["root"]);
    const auto st = VerifyInclusion(leaf, v["leafIdx"].get<uint64_t>(),
                                    v["treeSize"].get<uint64_t>(), Spans(proof), root);
    if (v["wantErr"].get<bool>()) {
      EXPECT_FALSE(st.ok()) << path;
      ++counts.rejected;
    } else {
      EXPECT_TRUE(st.ok()) << path << ": " << st.ToString();
      ++counts.valid;
    }
  }
  EXPECT_EQ(counts.valid, 6);
  EXPECT_EQ(counts.rejected, 92);
}

TEST(GoldenVectorsTest, Consistency) {
  GoldenCounts counts;
  for (const auto& path : JsonFiles(kVectorDir / "transparency-dev-merkle/consistency")) {
    const auto v = LoadJson(path);
    const auto proof = B64List(v["proof"]);
    const Bytes root1 = B64(v["root1"]), root2 = B64(v["root2"]);
    const auto st = VerifyConsistency(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(),
                                      root1, root2, Spans(proof));
    if (v["wantErr"].get<bool>()) {
      EXPECT_FALSE(st.ok()) << path;
      ++counts.rejected;
    } else {
      EXPECT_TRUE(st.ok()) << path << ": " << st.ToString();
      ++counts.valid;
    }
  }
  EXPECT_EQ(counts.valid, 6);
  EXPECT_EQ(counts.rejected, 92);
}

// ---- generated proofs against verification and a naive recomputation

TEST(MerkleTreeTest, EmptyTree) {
  MemoryNodeStore store;
  MerkleTreeView view(store, 0);
  EXPECT_EQ(*view.Root(0), EmptyTreeRoot());
  EXPECT_EQ(view.InclusionProof(0, 0).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(view.ConsistencyProof(0, 0).status().code(), base::Code::kInvalidArgument);
}

TEST(MerkleTreeTest, RootsMatchNaiveRecomputationForEverySize) {
  Tree tree(300);
  auto view = tree.View();
  for (uint64_t n = 0; n <= 300; ++n) EXPECT_EQ(*view.Root(n), tree.NaiveRoot(n)) << n;
}

TEST(MerkleTreeTest, AppendStoresOnlyPerfectSubtrees) {
  Tree tree(300);
  // A tree of n leaves has 2n - popcount(n) perfect subtrees.
  EXPECT_EQ(tree.store.node_count(), 600u - 4u);
}

TEST(MerkleTreeTest, EveryInclusionProofVerifiesForSizes1To300) {
  Tree tree(300);
  auto view = tree.View();
  for (uint64_t n = 1; n <= 300; ++n) {
    const Digest32 root = tree.NaiveRoot(n);
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = view.InclusionProof(i, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyInclusion(tree.leaves[i], i, n, *proof, root).ok()) << i << "/" << n;
    }
  }
}

TEST(MerkleTreeTest, EveryConsistencyProofVerifiesUpTo130) {
  Tree tree(130);
  auto view = tree.View();
  for (uint64_t n = 1; n <= 130; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = view.ConsistencyProof(m, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyConsistency(m, n, tree.NaiveRoot(m), tree.NaiveRoot(n), *proof).ok())
          << m << "->" << n;
    }
  }
}

TEST(MerkleTreeTest, RandomizedTamperingIsRejected) {
  Tree tree(300);
  auto view = tree.View();
  base::SeededRandom rng(42);
  int rejected = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    const uint64_t n = 2 + rng.Uniform(299);
    const uint64_t m = 1 + rng.Uniform(n - 1);  // m < n
    const uint64_t i = rng.Uniform(n);
    auto inc = *view.InclusionProof(i, n);
    auto cons = *view.ConsistencyProof(m, n);
    const Digest32 root = tree.NaiveRoot(n), root_m = tree.NaiveRoot(m);
    ASSERT_TRUE(VerifyInclusion(tree.leaves[i], i, n, inc, root).ok());
    ASSERT_TRUE(VerifyConsistency(m, n, root_m, root, cons).ok());
    // Flip one bit of one element, or use the wrong index / size / leaf.
    if (!inc.empty()) {
      auto bad = inc;
      bad[rng.Uniform(bad.size())][rng.Uniform(32)] ^= uint8_t(1u << rng.Uniform(8));
      EXPECT_FALSE(VerifyInclusion(tree.leaves[i], i, n, bad, root).ok());
      ++rejected;
    }
    EXPECT_FALSE(VerifyInclusion(tree.leaves[i], i ^ 1, n, inc, root).ok());
    EXPECT_FALSE(VerifyInclusion(tree.leaves[(i + 1) % n], i, n, inc, root).ok());
    EXPECT_FALSE(VerifyInclusion(tree.leaves[i], i, n, inc, root_m).ok());
    auto bad_c = cons;
    bad_c[rng.Uniform(bad_c.size())][rng.Uniform(32)] ^= 0x80;
    EXPECT_FALSE(VerifyConsistency(m, n, root_m, root, bad_c).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, root, root_m, cons).ok());
    auto longer = cons;
    longer.push_back(root);
    EXPECT_FALSE(VerifyConsistency(m, n, root_m, root, longer).ok());
    cons.pop_back();
    EXPECT_FALSE(VerifyConsistency(m, n, root_m, root, cons).ok());
    rejected += 7;
  }
  EXPECT_GT(rejected, 10000);
}

// A counting store: proofs must cost O(log n) reads, never a walk of the log.
class CountingStore final : public NodeReader {
 public:
  explicit CountingStore(const NodeReader& inner) : inner_(inner) {}
  base::Result<std::optional<Digest32>> GetNode(uint32_t level, uint64_t index) const override {
    ++reads;
    return inner_.GetNode(level, index);
  }
  mutable uint64_t reads = 0;

 private:
  const NodeReader& inner_;
};

TEST(MerkleTreeTest, ProofsUseLogarithmicReads) {
  Tree tree(5000);
  CountingStore counting(tree.store);
  MerkleTreeView view(counting, 5000);
  uint64_t worst = 0;
  for (uint64_t i = 0; i < 5000; i += 7) {
    counting.reads = 0;
    ASSERT_TRUE(view.InclusionProof(i, 4999).ok());
    worst = std::max(worst, counting.reads);
    counting.reads = 0;
    ASSERT_TRUE(view.ConsistencyProof(i + 1, 4999).ok());
    worst = std::max(worst, counting.reads);
  }
  EXPECT_LE(worst, 3u * 13u);  // log2(5000) < 13
}

TEST(MerkleTreeTest, MissingNodeIsCorruption) {
  MemoryNodeStore store;
  EXPECT_EQ(AppendLeaf(store, 1, LeafHashOf(1)).code(), base::Code::kCorruption);
  MerkleTreeView view(store, 3);
  EXPECT_EQ(view.Root(3).status().code(), base::Code::kCorruption);
}

}  // namespace
}  // namespace hm::trustchain::ct
