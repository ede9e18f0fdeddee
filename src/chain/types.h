// Value types of the chain: transactions, block headers, blocks and genesis, with their canonical
// encodings and hashes (docs/spec/chain.md). Decoding is strict: it rejects anything the encoder
// would not produce. Thread-safety: value types.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace hm::chain {

using base::Bytes;
using base::ByteSpan;
using crypto::Digest32;

inline constexpr uint8_t kTagTransaction = 0x01;
inline constexpr uint8_t kTagBlockHeader = 0x02;
inline constexpr uint8_t kTagBlock = 0x03;
inline constexpr uint8_t kTagGenesis = 0x04;
inline constexpr uint8_t kTagHeadRecord = 0x05;
inline constexpr uint8_t kTagSignedHeader = 0x06;

inline constexpr size_t kMaxModuleName = 32;
inline constexpr size_t kMaxPayload = 1 << 20;
inline constexpr size_t kMaxChainId = 64;
inline constexpr size_t kMaxSignature = 8192;
inline constexpr size_t kMaxPublicKey = 4096;
inline constexpr size_t kMaxBlockTxs = 100'000;

// Signature algorithms for block headers.
enum class SigAlg : uint8_t { kEd25519 = 1, kFalcon1024 = 2 };

// H(domain, x) = SHA-256(domain || 0x00 || x).
Digest32 DomainHash(std::string_view domain, ByteSpan data);

struct Transaction {
  std::string module;
  uint64_t kind = 0;
  uint64_t nonce = 0;
  Bytes payload;

  Bytes Encode() const;
  static base::Result<Transaction> Decode(ByteSpan bytes);
  // Checks field limits (module name charset and length, payload size).
  base::Status Validate() const;
  Digest32 Hash() const;
};

struct BlockHeader {
  std::string chain_id;
  uint64_t height = 0;
  Digest32 prev_hash{};
  uint64_t time_ms = 0;
  uint32_t tx_count = 0;
  Digest32 tx_root{};
  Digest32 state_root{};
  Digest32 proposer{};

  Bytes Encode() const;
  static base::Result<BlockHeader> Decode(ByteSpan bytes);
  Digest32 Hash() const;
  // The message a proposer signs: H("hm.block-sig.v1", block hash).
  Digest32 SigningDigest() const;
};

struct SignedHeader {
  BlockHeader header;
  SigAlg sig_alg = SigAlg::kEd25519;
  Bytes signature;

  Bytes Encode() const;
  static base::Result<SignedHeader> Decode(ByteSpan bytes);
};

struct Block {
  SignedHeader signed_header;
  std::vector<Transaction> txs;

  const BlockHeader& header() const { return signed_header.header; }
  Bytes Encode() const;
  // Also checks tx_count and tx_root against the transactions.
  static base::Result<Block> Decode(ByteSpan bytes);
};

inline constexpr size_t kMaxModuleParams = 32;
inline constexpr size_t kMaxModuleParamBytes = 64 * 1024;

// Parameters a module receives at genesis (e.g. the CA's trust anchor), opaque to the chain.
struct ModuleParams {
  std::string module;
  Bytes params;
  bool operator==(const ModuleParams&) const = default;
};

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time_ms = 0;
  SigAlg proposer_sig_alg = SigAlg::kEd25519;
  Bytes proposer_public_key;
  // Sorted by module name, names unique.
  std::vector<ModuleParams> module_params;

  // The parameters for `module`, or nullptr.
  const Bytes* ParamsFor(std::string_view module) const;

  Bytes Encode() const;
  static base::Result<Genesis> Decode(ByteSpan bytes);
  base::Status Validate() const;
  Digest32 Hash() const;
  Digest32 ProposerId() const;
};

// The chain tip as stored under meta/"head".
struct Head {
  uint64_t height = 0;
  Digest32 block_hash{};  // genesis hash at height 0
  Digest32 state_root{};
  uint64_t time_ms = 0;

  Bytes Encode() const;
  static base::Result<Head> Decode(ByteSpan bytes);
};

base::Result<SigAlg> SigAlgFromByte(uint8_t b);
std::string_view SigAlgName(SigAlg alg);

}  // namespace hm::chain
