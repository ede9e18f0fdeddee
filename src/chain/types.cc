#include "chain/types.h"

#include <fmt/format.h>

#include "chain/merkle.h"
#include "codec/codec.h"

namespace hm::chain {

using base::InvalidArgument;
using base::Result;
using base::Status;
using codec::Reader;
using codec::Writer;

namespace {

Result<Digest32> ReadDigest(Reader& r) {
  HM_ASSIGN_OR_RETURN(ByteSpan b, r.Fixed(32));
  Digest32 d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

bool IsModuleNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

Status ValidateChainId(const std::string& id) {
  if (id.empty() || id.size() > kMaxChainId) {
    return InvalidArgument("chain_id must be 1-64 characters");
  }
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return InvalidArgument("chain_id may contain only a-z, 0-9 and '-'");
    }
  }
  return Status::Ok();
}

}  // namespace

Digest32 DomainHash(std::string_view domain, ByteSpan data) {
  crypto::Sha256Hasher h;
  h.Update(base::AsBytes(domain));
  const uint8_t zero = 0;
  h.Update(ByteSpan(&zero, 1));
  h.Update(data);
  return h.Finish();
}

Result<SigAlg> SigAlgFromByte(uint8_t b) {
  if (b == 1) return SigAlg::kEd25519;
  if (b == 2) return SigAlg::kFalcon1024;
  return InvalidArgument(fmt::format("unknown signature algorithm {}", b));
}

std::string_view SigAlgName(SigAlg alg) {
  return alg == SigAlg::kEd25519 ? "ed25519" : "falcon1024";
}

// --- Transaction ---

Bytes Transaction::Encode() const {
  Writer w(payload.size() + module.size() + 24);
  w.Header(kTagTransaction);
  w.String(module);
  w.UVarint(kind);
  w.U64(nonce);
  w.Bytes(payload);
  return std::move(w).Take();
}

Result<Transaction> Transaction::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagTransaction));
  Transaction tx;
  HM_ASSIGN_OR_RETURN(tx.module, r.String(kMaxModuleName));
  HM_ASSIGN_OR_RETURN(tx.kind, r.UVarint());
  HM_ASSIGN_OR_RETURN(tx.nonce, r.U64());
  HM_ASSIGN_OR_RETURN(ByteSpan payload, r.Bytes(kMaxPayload));
  tx.payload.assign(payload.begin(), payload.end());
  HM_TRY(r.Finish());
  HM_TRY(tx.Validate());
  return tx;
}

Status Transaction::Validate() const {
  if (module.empty() || module.size() > kMaxModuleName) {
    return InvalidArgument("transaction module name must be 1-32 characters");
  }
  for (char c : module) {
    if (!IsModuleNameChar(c)) {
      return InvalidArgument("transaction module name may contain only a-z, 0-9, '_' and '-'");
    }
  }
  if (payload.size() > kMaxPayload) {
    return InvalidArgument(fmt::format("transaction payload of {} bytes exceeds {} bytes",
                                       payload.size(), kMaxPayload));
  }
  return Status::Ok();
}

Digest32 Transaction::Hash() const { return DomainHash("hm.tx.v1", Encode()); }

// --- BlockHeader ---

Bytes BlockHeader::Encode() const {
  Writer w(200);
  w.Header(kTagBlockHeader);
  w.String(chain_id);
  w.U64(height);
  w.Fixed(prev_hash);
  w.U64(time_ms);
  w.U32(tx_count);
  w.Fixed(tx_root);
  w.Fixed(state_root);
  w.Fixed(proposer);
  return std::move(w).Take();
}

Result<BlockHeader> BlockHeader::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagBlockHeader));
  BlockHeader h;
  HM_ASSIGN_OR_RETURN(h.chain_id, r.String(kMaxChainId));
  HM_ASSIGN_OR_RETURN(h.height, r.U64());
  HM_ASSIGN_OR_RETURN(h.prev_hash, ReadDigest(r));
  HM_ASSIGN_OR_RETURN(h.time_ms, r.U64());
  HM_ASSIGN_OR_RETURN(h.tx_count, r.U32());
  HM_ASSIGN_OR_RETURN(h.tx_root, ReadDigest(r));
  HM_ASSIGN_OR_RETURN(h.state_root, ReadDigest(r));
  HM_ASSIGN_OR_RETURN(h.proposer, ReadDigest(r));
  HM_TRY(r.Finish());
  return h;
}

Digest32 BlockHeader::Hash() const { return DomainHash("hm.block.v1", Encode()); }

Digest32 BlockHeader::SigningDigest() const {
  Digest32 h = Hash();
  return DomainHash("hm.block-sig.v1", h);
}

// --- SignedHeader ---

Bytes SignedHeader::Encode() const {
  Writer w(300 + signature.size());
  w.Header(kTagSignedHeader);
  w.Bytes(header.Encode());
  w.U8(static_cast<uint8_t>(sig_alg));
  w.Bytes(signature);
  return std::move(w).Take();
}

Result<SignedHeader> SignedHeader::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagSignedHeader));
  SignedHeader s;
  HM_ASSIGN_OR_RETURN(ByteSpan hb, r.Bytes(1024));
  HM_ASSIGN_OR_RETURN(s.header, BlockHeader::Decode(hb));
  HM_ASSIGN_OR_RETURN(uint8_t alg, r.U8());
  HM_ASSIGN_OR_RETURN(s.sig_alg, SigAlgFromByte(alg));
  HM_ASSIGN_OR_RETURN(ByteSpan sig, r.Bytes(kMaxSignature));
  s.signature.assign(sig.begin(), sig.end());
  HM_TRY(r.Finish());
  return s;
}

// --- Block ---

Bytes Block::Encode() const {
  Writer w;
  w.Header(kTagBlock);
  w.Bytes(signed_header.Encode());
  w.UVarint(txs.size());
  for (const auto& tx : txs) w.Bytes(tx.Encode());
  return std::move(w).Take();
}

Result<Block> Block::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagBlock));
  Block b;
  HM_ASSIGN_OR_RETURN(ByteSpan sh, r.Bytes(16 * 1024));
  HM_ASSIGN_OR_RETURN(b.signed_header, SignedHeader::Decode(sh));
  HM_ASSIGN_OR_RETURN(uint64_t n, r.Count(kMaxBlockTxs, 3));
  b.txs.reserve(n);
  std::vector<Digest32> hashes;
  hashes.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    HM_ASSIGN_OR_RETURN(ByteSpan tb, r.Bytes(kMaxPayload + 64));
    HM_ASSIGN_OR_RETURN(Transaction tx, Transaction::Decode(tb));
    hashes.push_back(tx.Hash());
    b.txs.push_back(std::move(tx));
  }
  HM_TRY(r.Finish());
  if (b.header().tx_count != n) return InvalidArgument("block tx_count does not match its list");
  if (MerkleRoot(hashes) != b.header().tx_root) {
    return InvalidArgument("block tx_root does not match its transactions");
  }
  return b;
}

// --- Genesis ---

Bytes Genesis::Encode() const {
  Writer w;
  w.Header(kTagGenesis);
  w.String(chain_id);
  w.U64(genesis_time_ms);
  w.U8(static_cast<uint8_t>(proposer_sig_alg));
  w.Bytes(proposer_public_key);
  w.UVarint(module_params.size());
  for (const auto& p : module_params) {
    w.String(p.module);
    w.Bytes(p.params);
  }
  return std::move(w).Take();
}

const Bytes* Genesis::ParamsFor(std::string_view module) const {
  for (const auto& p : module_params) {
    if (p.module == module) return &p.params;
  }
  return nullptr;
}

Result<Genesis> Genesis::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagGenesis));
  Genesis g;
  HM_ASSIGN_OR_RETURN(g.chain_id, r.String(kMaxChainId));
  HM_ASSIGN_OR_RETURN(g.genesis_time_ms, r.U64());
  HM_ASSIGN_OR_RETURN(uint8_t alg, r.U8());
  HM_ASSIGN_OR_RETURN(g.proposer_sig_alg, SigAlgFromByte(alg));
  HM_ASSIGN_OR_RETURN(ByteSpan pk, r.Bytes(kMaxPublicKey));
  g.proposer_public_key.assign(pk.begin(), pk.end());
  HM_ASSIGN_OR_RETURN(uint64_t n, r.Count(kMaxModuleParams, 2));
  for (uint64_t i = 0; i < n; ++i) {
    ModuleParams p;
    HM_ASSIGN_OR_RETURN(p.module, r.String(kMaxModuleName));
    HM_ASSIGN_OR_RETURN(ByteSpan params, r.Bytes(kMaxModuleParamBytes));
    p.params.assign(params.begin(), params.end());
    g.module_params.push_back(std::move(p));
  }
  HM_TRY(r.Finish());
  HM_TRY(g.Validate());
  return g;
}

Status Genesis::Validate() const {
  HM_TRY(ValidateChainId(chain_id));
  if (proposer_sig_alg == SigAlg::kEd25519 && proposer_public_key.size() != 32) {
    return InvalidArgument("genesis proposer ed25519 public key must be 32 bytes");
  }
  if (proposer_sig_alg == SigAlg::kFalcon1024) {
    return base::Unimplemented("falcon1024 block signatures are not supported yet");
  }
  if (module_params.size() > kMaxModuleParams) {
    return InvalidArgument(fmt::format("genesis has {} module parameter sets; at most {}",
                                       module_params.size(), kMaxModuleParams));
  }
  for (size_t i = 0; i < module_params.size(); ++i) {
    const auto& p = module_params[i];
    Transaction probe;  // reuse the module-name rule of transactions
    probe.module = p.module;
    if (!probe.Validate().ok()) {
      return InvalidArgument(fmt::format("genesis module params: bad module name '{}'", p.module));
    }
    if (p.params.size() > kMaxModuleParamBytes) {
      return InvalidArgument(fmt::format("genesis module params for '{}' exceed {} bytes",
                                         p.module, kMaxModuleParamBytes));
    }
    if (i > 0 && !(module_params[i - 1].module < p.module)) {
      return InvalidArgument("genesis module params must be sorted by module name, no repeats");
    }
  }
  return Status::Ok();
}

Digest32 Genesis::Hash() const { return DomainHash("hm.genesis.v1", Encode()); }

Digest32 Genesis::ProposerId() const { return crypto::Sha256(proposer_public_key); }

// --- Head ---

Bytes Head::Encode() const {
  Writer w(90);
  w.Header(kTagHeadRecord);
  w.U64(height);
  w.Fixed(block_hash);
  w.Fixed(state_root);
  w.U64(time_ms);
  return std::move(w).Take();
}

Result<Head> Head::Decode(ByteSpan bytes) {
  Reader r(bytes);
  HM_TRY(r.Header(kTagHeadRecord));
  Head h;
  HM_ASSIGN_OR_RETURN(h.height, r.U64());
  HM_ASSIGN_OR_RETURN(h.block_hash, ReadDigest(r));
  HM_ASSIGN_OR_RETURN(h.state_root, ReadDigest(r));
  HM_ASSIGN_OR_RETURN(h.time_ms, r.U64());
  HM_TRY(r.Finish());
  return h;
}

}  // namespace hm::chain
