// The CT log's append-only RFC 6962 Merkle tree over a store of perfect-subtree hashes
// (docs/spec/ct.md): O(log n) appends, historical roots, inclusion and consistency proofs, plus
// the RFC 9162 proof verifiers. Thread-safety: MerkleTreeView is immutable (const reads through
// its NodeReader); verifiers are pure; MemoryNodeStore is not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace hm::trustchain::ct {

using crypto::Digest32;

// Node (level, index) is the hash of the perfect subtree over leaves [index·2^level,
// (index+1)·2^level); level 0 holds the leaf hashes.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  virtual base::Result<std::optional<Digest32>> GetNode(uint32_t level, uint64_t index) const = 0;
};

class NodeStore : public NodeReader {
 public:
  virtual void PutNode(uint32_t level, uint64_t index, const Digest32& hash) = 0;
};

// In-memory store (tests, tools).
class MemoryNodeStore final : public NodeStore {
 public:
  base::Result<std::optional<Digest32>> GetNode(uint32_t level, uint64_t index) const override;
  void PutNode(uint32_t level, uint64_t index, const Digest32& hash) override;
  size_t node_count() const { return nodes_.size(); }

 private:
  std::map<std::pair<uint32_t, uint64_t>, Digest32> nodes_;
};

// SHA-256("") — MTH of the empty tree.
Digest32 EmptyTreeRoot();

// Appends `leaf_hash` as leaf number `size` (the tree's size before the append): writes the leaf
// and every perfect subtree it completes. Corruption if a needed left sibling is missing.
base::Status AppendLeaf(NodeStore& store, uint64_t size, const Digest32& leaf_hash);

// Read access to a tree of `size` leaves. Requests for sizes above `size` are OutOfRange;
// a node missing from the store is Corruption; store errors pass through.
class MerkleTreeView {
 public:
  MerkleTreeView(const NodeReader& nodes, uint64_t size) : nodes_(nodes), size_(size) {}

  uint64_t size() const { return size_; }
  // MTH of the first `n` leaves (n <= size).
  base::Result<Digest32> Root(uint64_t n) const;
  // RFC 6962 PATH(index, D[n]); InvalidArgument unless index < n; n <= size.
  base::Result<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t n) const;
  // RFC 6962 PROOF(m, D[n]); InvalidArgument unless 0 < m <= n; n <= size. Empty when m == n.
  base::Result<std::vector<Digest32>> ConsistencyProof(uint64_t m, uint64_t n) const;
  // Hash of the RFC 6962 node over leaves [start, end): start must be a multiple of the largest
  // power of two not below end - start (every node of an RFC 6962 tree satisfies this).
  base::Result<Digest32> RangeHash(uint64_t start, uint64_t end) const;

 private:
  base::Result<Digest32> Node(uint32_t level, uint64_t index) const;
  base::Status SubProof(uint64_t m, uint64_t offset, uint64_t len, bool whole,
                        std::vector<Digest32>& out) const;

  const NodeReader& nodes_;
  const uint64_t size_;
};

// RFC 9162 §2.1.3.2. Hashes are spans so malformed (non-32-byte) input can be rejected with a
// reason. InvalidArgument: malformed (index >= size, element or leaf not 32 bytes, proof too
// long or too short); Unauthenticated: well formed but the computed root differs.
base::Status VerifyInclusion(base::ByteSpan leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const base::ByteSpan> proof, base::ByteSpan root);
base::Status VerifyInclusion(const Digest32& leaf_hash, uint64_t index, uint64_t tree_size,
                             std::span<const Digest32> proof, const Digest32& root);

// RFC 9162 §2.1.4.2, with the edge cases of docs/spec/ct.md: size1 must be in [1, size2]; equal
// sizes need an empty proof and equal roots; different sizes need a non-empty proof.
base::Status VerifyConsistency(uint64_t size1, uint64_t size2, base::ByteSpan root1,
                               base::ByteSpan root2, std::span<const base::ByteSpan> proof);
base::Status VerifyConsistency(uint64_t size1, uint64_t size2, const Digest32& root1,
                               const Digest32& root2, std::span<const Digest32> proof);

}  // namespace hm::trustchain::ct
