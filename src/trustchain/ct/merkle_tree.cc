#include "trustchain/ct/merkle_tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "chain/merkle.h"

namespace hm::trustchain::ct {

using base::ByteSpan;

namespace {

Digest32 NodeHash(const Digest32& left, const Digest32& right) {
  return chain::MerkleNodeHash(left, right);
}

Digest32 ToDigest(ByteSpan b) {
  Digest32 d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

bool Equal(ByteSpan a, const Digest32& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

base::Status CheckElements(std::span<const ByteSpan> proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != 32) {
      return base::InvalidArgument(
          fmt::format("proof element {} is {} bytes, not 32", i, proof[i].size()));
    }
  }
  return base::Status::Ok();
}

// Shifts fn and sn right until fn's low bit is set or fn is zero.
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

base::Result<std::optional<Digest32>> MemoryNodeStore::GetNode(uint32_t level,
                                                               uint64_t index) const {
  auto it = nodes_.find({level, index});
  if (it == nodes_.end()) return std::optional<Digest32>();
  return std::optional<Digest32>(it->second);
}

void MemoryNodeStore::PutNode(uint32_t level, uint64_t index, const Digest32& hash) {
  nodes_[{level, index}] = hash;
}

Digest32 EmptyTreeRoot() { return crypto::Sha256({}); }

base::Status AppendLeaf(NodeStore& store, uint64_t size, const Digest32& leaf_hash) {
  store.PutNode(0, size, leaf_hash);
  Digest32 h = leaf_hash;
  uint64_t i = size;
  uint32_t level = 0;
  while (i & 1) {
    HM_ASSIGN_OR_RETURN(auto left, store.GetNode(level, i - 1));
    if (!left) {
      return base::Corruption(fmt::format("ct: missing tree node ({}, {})", level, i - 1));
    }
    h = NodeHash(*left, h);
    i >>= 1;
    ++level;
    store.PutNode(level, i, h);
  }
  return base::Status::Ok();
}

base::Result<Digest32> MerkleTreeView::Node(uint32_t level, uint64_t index) const {
  HM_ASSIGN_OR_RETURN(auto node, nodes_.GetNode(level, index));
  if (!node) return base::Corruption(fmt::format("ct: missing tree node ({}, {})", level, index));
  return *node;
}

base::Result<Digest32> MerkleTreeView::RangeHash(uint64_t start, uint64_t end) const {
  if (end > size_ || start >= end) {
    return base::OutOfRange(fmt::format("ct: range [{}, {}) not in a tree of {}", start, end, size_));
  }
  // The binary digits of end - start name the perfect subtrees, largest (leftmost) first.
  Digest32 pieces[64];
  int count = 0;
  uint64_t pos = start;
  for (uint64_t rem = end - start; rem != 0;) {
    const uint64_t width = std::bit_floor(rem);
    const auto level = static_cast<uint32_t>(std::countr_zero(width));
    if (pos % width != 0) return base::Internal("ct: unaligned subtree range");
    HM_ASSIGN_OR_RETURN(pieces[count], Node(level, pos >> level));
    ++count;
    pos += width;
    rem -= width;
  }
  Digest32 h = pieces[count - 1];
  for (int i = count - 2; i >= 0; --i) h = NodeHash(pieces[i], h);
  return h;
}

base::Result<Digest32> MerkleTreeView::Root(uint64_t n) const {
  if (n > size_) return base::OutOfRange(fmt::format("ct: tree size {} > {}", n, size_));
  if (n == 0) return EmptyTreeRoot();
  return RangeHash(0, n);
}

base::Result<std::vector<Digest32>> MerkleTreeView::InclusionProof(uint64_t index,
                                                                   uint64_t n) const {
  if (n > size_) return base::OutOfRange(fmt::format("ct: tree size {} > {}", n, size_));
  if (index >= n) {
    return base::InvalidArgument(fmt::format("ct: leaf index {} not below tree size {}", index, n));
  }
  std::vector<Digest32> proof;
  // One sibling per level while the level has more than one node; a sibling that starts at or
  // beyond n does not exist (the node is promoted unchanged), one that ends beyond n is the
  // right-border node and is folded from perfect subtrees.
  for (uint32_t level = 0; ((n - 1) >> level) != 0; ++level) {
    const uint64_t sibling = (index >> level) ^ 1;
    const uint64_t start = sibling << level;
    if (start >= n) continue;
    const uint64_t end = std::min(start + (uint64_t{1} << level), n);
    HM_ASSIGN_OR_RETURN(auto h, RangeHash(start, end));
    proof.push_back(h);
  }
  return proof;
}

base::Status MerkleTreeView::SubProof(uint64_t m, uint64_t offset, uint64_t len, bool whole,
                                      std::vector<Digest32>& out) const {
  if (m == len) {
    if (!whole) {
      HM_ASSIGN_OR_RETURN(auto h, RangeHash(offset, offset + len));
      out.push_back(h);
    }
    return base::Status::Ok();
  }
  const uint64_t k = SplitPoint(len);
  if (m <= k) {
    HM_TRY(SubProof(m, offset, k, whole, out));
    HM_ASSIGN_OR_RETURN(auto right, RangeHash(offset + k, offset + len));
    out.push_back(right);
  } else {
    HM_TRY(SubProof(m - k, offset + k, len - k, false, out));
    HM_ASSIGN_OR_RETURN(auto left, RangeHash(offset, offset + k));
    out.push_back(left);
  }
  return base::Status::Ok();
}

base::Result<std::vector<Digest32>> MerkleTreeView::ConsistencyProof(uint64_t m,
                                                                     uint64_t n) const {
  if (n > size_) return base::OutOfRange(fmt::format("ct: tree size {} > {}", n, size_));
  if (m == 0 || m > n) {
    return base::InvalidArgument(fmt::format("ct: no consistency proof from {} to {}", m, n));
  }
  std::vector<Digest32> proof;
  HM_TRY(SubProof(m, 0, n, true, proof));
  return proof;
}

base::Status VerifyInclusion(ByteSpan leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const ByteSpan> proof, ByteSpan root) {
  if (index >= tree_size) {
    return base::InvalidArgument(
        fmt::format("leaf index {} not below tree size {}", index, tree_size));
  }
  if (leaf_hash.size() != 32) {
    return base::InvalidArgument(fmt::format("leaf hash is {} bytes, not 32", leaf_hash.size()));
  }
  HM_TRY(CheckElements(proof));
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Digest32 r = ToDigest(leaf_hash);
  for (ByteSpan element : proof) {
    if (sn == 0) return base::InvalidArgument("inclusion proof is too long");
    const Digest32 p = ToDigest(element);
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return base::InvalidArgument("inclusion proof is too short");
  if (!Equal(root, r)) return base::Unauthenticated("inclusion proof does not match the root");
  return base::Status::Ok();
}

base::Status VerifyConsistency(uint64_t size1, uint64_t size2, ByteSpan root1, ByteSpan root2,
                               std::span<const ByteSpan> proof) {
  if (size1 > size2) {
    return base::InvalidArgument(fmt::format("first size {} > second size {}", size1, size2));
  }
  if (size1 == 0) return base::InvalidArgument("consistency with an empty tree proves nothing");
  if (size1 == size2) {
    if (!proof.empty()) return base::InvalidArgument("proof must be empty for equal sizes");
    if (!std::equal(root1.begin(), root1.end(), root2.begin(), root2.end())) {
      return base::Unauthenticated("equal sizes but different roots");
    }
    return base::Status::Ok();
  }
  if (proof.empty()) return base::InvalidArgument("consistency proof is empty");
  if (root1.size() != 32 || root2.size() != 32) return base::InvalidArgument("root is not 32 bytes");
  HM_TRY(CheckElements(proof));
  // When size1 is a power of two the first tree is a node of the second and its root is the
  // implicit first element of the path.
  const bool prepend = std::has_single_bit(size1);
  auto element = [&](size_t i) { return ToDigest(prepend ? (i == 0 ? root1 : proof[i - 1]) : proof[i]); };
  const size_t path_len = proof.size() + (prepend ? 1 : 0);

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest32 fr = element(0);
  Digest32 sr = fr;
  for (size_t i = 1; i < path_len; ++i) {
    if (sn == 0) return base::InvalidArgument("consistency proof is too long");
    const Digest32 c = element(i);
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return base::InvalidArgument("consistency proof is too short");
  if (!Equal(root1, fr)) return base::Unauthenticated("consistency proof does not match root1");
  if (!Equal(root2, sr)) return base::Unauthenticated("consistency proof does not match root2");
  return base::Status::Ok();
}

namespace {
std::vector<ByteSpan> Spans(std::span<const Digest32> proof) {
  std::vector<ByteSpan> out;
  out.reserve(proof.size());
  for (const auto& d : proof) out.emplace_back(d);
  return out;
}
}  // namespace

base::Status VerifyInclusion(const Digest32& leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const Digest32> proof, const Digest32& root) {
  const auto spans = Spans(proof);
  return VerifyInclusion(ByteSpan(leaf_hash), index, tree_size, spans, ByteSpan(root));
}

base::Status VerifyConsistency(uint64_t size1, uint64_t size2, const Digest32& root1,
                               const Digest32& root2, std::span<const Digest32> proof) {
  const auto spans = Spans(proof);
  return VerifyConsistency(size1, size2, ByteSpan(root1), ByteSpan(root2), spans);
}

}  // namespace hm::trustchain::ct
