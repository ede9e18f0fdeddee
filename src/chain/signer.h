// Block signing and verification. The proposer signs SigningDigest() of each header.
// Thread-safety: implementations must allow Sign from the sequencer thread only; Verify is pure.
#pragma once

#include "chain/types.h"

namespace hm::chain {

class BlockSigner {
 public:
  virtual ~BlockSigner() = default;
  virtual SigAlg alg() const = 0;
  virtual const Bytes& public_key() const = 0;
  virtual base::Result<Bytes> Sign(ByteSpan digest) = 0;
};

// Checks `signed_header`'s signature against the genesis proposer key.
base::Status VerifyBlockSignature(const Genesis& genesis, const SignedHeader& signed_header);

}  // namespace hm::chain

namespace hm::crypto {
class Ed25519PrivateKey;
}  // namespace hm::crypto

namespace hm::chain {

// Signs block headers with the node's Ed25519 key (node identity until Falcon-1024 takes over).
class Ed25519BlockSigner final : public BlockSigner {
 public:
  explicit Ed25519BlockSigner(const crypto::Ed25519PrivateKey& key);
  SigAlg alg() const override { return SigAlg::kEd25519; }
  const Bytes& public_key() const override { return public_key_; }
  base::Result<Bytes> Sign(ByteSpan digest) override;

 private:
  const crypto::Ed25519PrivateKey& key_;
  Bytes public_key_;
};

}  // namespace hm::chain
