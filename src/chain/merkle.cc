#include "chain/merkle.h"

#include <vector>

namespace hm::chain {

using crypto::Digest32;

Digest32 MerkleLeafHash(std::span<const uint8_t> leaf) {
  crypto::Sha256Hasher h;
  const uint8_t prefix = 0x00;
  h.Update(base::ByteSpan(&prefix, 1));
  h.Update(leaf);
  return h.Finish();
}

Digest32 MerkleNodeHash(const Digest32& left, const Digest32& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return crypto::Sha256(buf);
}

// Bottom-up: hashing level by level and carrying an odd last node up unchanged yields exactly
// RFC 6962's split at the largest power of two, because that split keeps the left subtree perfect.
Digest32 MerkleRootFromLeafHashes(std::span<const Digest32> leaf_hashes) {
  if (leaf_hashes.empty()) return crypto::Sha256({});
  std::vector<Digest32> level(leaf_hashes.begin(), leaf_hashes.end());
  while (level.size() > 1) {
    size_t out = 0;
    for (size_t i = 0; i + 1 < level.size(); i += 2) level[out++] = MerkleNodeHash(level[i], level[i + 1]);
    if (level.size() % 2 == 1) level[out++] = level.back();
    level.resize(out);
  }
  return level[0];
}

Digest32 MerkleRoot(std::span<const Digest32> leaves) {
  std::vector<Digest32> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(MerkleLeafHash(l));
  return MerkleRootFromLeafHashes(hashes);
}

}  // namespace hm::chain
