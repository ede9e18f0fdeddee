#include "chain/signer.h"

#include "crypto/ed25519.h"

namespace hm::chain {

base::Status VerifyBlockSignature(const Genesis& genesis, const SignedHeader& sh) {
  if (sh.sig_alg != genesis.proposer_sig_alg) {
    return base::Unauthenticated("block signature algorithm differs from the genesis proposer's");
  }
  if (sh.header.proposer != genesis.ProposerId()) {
    return base::Unauthenticated("block proposer is not the genesis proposer");
  }
  if (sh.header.chain_id != genesis.chain_id) {
    return base::Unauthenticated("block belongs to chain '" + sh.header.chain_id + "'");
  }
  switch (sh.sig_alg) {
    case SigAlg::kEd25519: {
      HM_ASSIGN_OR_RETURN(auto key, crypto::Ed25519PublicKey::FromRaw(genesis.proposer_public_key));
      const Digest32 digest = sh.header.SigningDigest();
      return key.Verify(digest, sh.signature);
    }
    case SigAlg::kFalcon1024:
      break;
  }
  return base::Unimplemented("falcon1024 block signatures are not supported yet");
}

Ed25519BlockSigner::Ed25519BlockSigner(const crypto::Ed25519PrivateKey& key)
    : key_(key), public_key_(key.PublicKey().Raw().begin(), key.PublicKey().Raw().end()) {}

base::Result<Bytes> Ed25519BlockSigner::Sign(ByteSpan digest) {
  auto sig = key_.Sign(digest);
  return Bytes(sig.begin(), sig.end());
}

}  // namespace hm::chain
