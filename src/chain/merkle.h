// RFC 6962 §2.1 Merkle Tree Hash over a list of 32-byte leaf values (used for block tx roots).
// Thread-safety: pure functions.
#pragma once

#include <span>

#include "crypto/hash.h"

namespace hm::chain {

crypto::Digest32 MerkleLeafHash(std::span<const uint8_t> leaf);
crypto::Digest32 MerkleNodeHash(const crypto::Digest32& left, const crypto::Digest32& right);
// MTH over leaves whose leaf hashes (SHA-256(0x00 || leaf)) are given. MTH({}) = SHA-256("").
crypto::Digest32 MerkleRootFromLeafHashes(std::span<const crypto::Digest32> leaf_hashes);
// MTH over 32-byte leaf values (block tx roots: the leaves are transaction hashes).
crypto::Digest32 MerkleRoot(std::span<const crypto::Digest32> leaves);

}  // namespace hm::chain
