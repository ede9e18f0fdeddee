#include "chain/chain.h"

#include <fmt/format.h>

#include <set>

#include "base/check.h"
#include "base/log.h"
#include "chain/merkle.h"
#include "codec/codec.h"

namespace hm::chain {

using base::Result;
using base::Status;

namespace {

constexpr std::string_view kBlocksCf = "blocks";
constexpr std::string_view kTxIndexCf = "tx_index";
constexpr std::string_view kMetaCf = "meta";
constexpr std::string_view kHeadKey = "head";
constexpr std::string_view kGenesisKey = "genesis";

Bytes HeightKey(uint64_t height) {
  codec::Writer w(8);
  w.U64(height);
  return std::move(w).Take();
}

Bytes EncodeLocation(const TxLocation& loc) {
  codec::Writer w(12);
  w.U64(loc.height);
  w.U32(loc.index);
  return std::move(w).Take();
}

Result<TxLocation> DecodeLocation(ByteSpan b) {
  codec::Reader r(b);
  TxLocation loc;
  HM_ASSIGN_OR_RETURN(loc.height, r.U64());
  HM_ASSIGN_OR_RETURN(loc.index, r.U32());
  HM_TRY(r.Finish());
  return loc;
}

}  // namespace

std::vector<std::string> Chain::ColumnFamilies() {
  return {std::string(kBlocksCf), std::string(kTxIndexCf), std::string(kStateCf),
          std::string(kMetaCf)};
}

Result<std::unique_ptr<Chain>> Chain::Open(storage::KvStore* store, const Genesis& genesis,
                                           std::vector<Module*> modules) {
  HM_TRY(genesis.Validate());
  for (const auto& cf : ColumnFamilies()) {
    if (!store->HasColumnFamily(cf)) {
      return base::InvalidArgument("chain: store lacks column family '" + cf + "'");
    }
  }
  std::map<std::string, Module*, std::less<>> by_name;
  for (Module* m : modules) {
    if (!by_name.emplace(std::string(m->Name()), m).second) {
      return base::InvalidArgument("chain: two modules named '" + std::string(m->Name()) + "'");
    }
  }
  std::unique_ptr<Chain> chain(new Chain(store, genesis, std::move(by_name)));
  HM_ASSIGN_OR_RETURN(auto stored, store->Get(kMetaCf, base::AsBytes(kGenesisKey)));
  if (!stored) {
    HM_TRY(chain->InitFromGenesis());
  } else {
    if (!base::ConstantTimeEqual(*stored, genesis.Encode())) {
      return base::FailedPrecondition(
          "chain: the data directory was created from a different genesis (chain_id or proposer "
          "key differ); refusing to start");
    }
    HM_TRY(chain->LoadHead());
  }
  return chain;
}

Status Chain::InitFromGenesis() {
  WriteSet writes;
  for (const auto& [name, module] : modules_) {
    OverlayState state(*store_, writes, name);
    HM_TRY(module->InitGenesis(genesis_, state).WithContext("genesis of module " + name));
    writes.MergeFrom(std::move(state).TakeWrites());
  }
  Head head;
  head.height = 0;
  head.block_hash = genesis_.Hash();
  head.state_root = NextStateRoot(Digest32{}, 0, writes.Digest());
  head.time_ms = genesis_.genesis_time_ms;
  storage::WriteBatch batch;
  writes.AddTo(batch);
  batch.Put(kMetaCf, base::AsBytes(kGenesisKey), genesis_.Encode());
  batch.Put(kMetaCf, base::AsBytes(kHeadKey), head.Encode());
  HM_TRY(store_->Write(batch, {.sync = true}));
  std::lock_guard lock(head_mu_);
  head_ = head;
  return Status::Ok();
}

Status Chain::LoadHead() {
  HM_ASSIGN_OR_RETURN(auto raw, store_->Get(kMetaCf, base::AsBytes(kHeadKey)));
  if (!raw) return base::Corruption("chain: genesis present but head record missing");
  auto head = Head::Decode(*raw);
  if (!head.ok()) return base::Corruption("chain: head record: " + std::string(head.status().message()));
  // The head and the tip block are written in the same batch; check they agree.
  if (head->height > 0) {
    HM_ASSIGN_OR_RETURN(auto tip, GetBlock(head->height));
    if (!tip || tip->header().Hash() != head->block_hash) {
      return base::Corruption(fmt::format("chain: tip block {} does not match the head record",
                                          head->height));
    }
  }
  HM_ASSIGN_OR_RETURN(auto next, store_->Get(kBlocksCf, HeightKey(head->height + 1)));
  if (next) return base::Corruption("chain: a block exists above the head record");
  std::lock_guard lock(head_mu_);
  head_ = *head;
  return Status::Ok();
}

Head Chain::head() const {
  std::lock_guard lock(head_mu_);
  return head_;
}

Module* Chain::FindModule(std::string_view name) const {
  auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : it->second;
}

Status Chain::CheckTransaction(const Transaction& tx) const {
  HM_TRY(tx.Validate());
  Module* m = FindModule(tx.module);
  if (m == nullptr) return base::InvalidArgument("unknown module '" + tx.module + "'");
  return m->Check(tx);
}

Result<PendingBlock> Chain::Execute(const std::vector<Transaction>& txs, uint64_t time_ms,
                                    const Digest32& proposer) {
  const Head parent = head();
  PendingBlock pb;
  BlockHeader& h = pb.block.signed_header.header;
  h.chain_id = genesis_.chain_id;
  h.height = parent.height + 1;
  h.prev_hash = parent.block_hash;
  h.time_ms = std::max(time_ms, parent.time_ms);
  h.proposer = proposer;
  const BlockContext ctx{h.chain_id, h.height, h.time_ms, h.prev_hash, h.proposer};

  std::set<Digest32> seen;
  std::vector<Digest32> included;
  pb.outcomes.resize(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    const Transaction& tx = txs[i];
    TxOutcome& out = pb.outcomes[i];
    out.tx_hash = tx.Hash();
    Module* module = FindModule(tx.module);
    if (module == nullptr) {
      out.status = base::InvalidArgument("unknown module '" + tx.module + "'");
      continue;
    }
    if (!seen.insert(out.tx_hash).second) {
      out.status = base::AlreadyExists("transaction repeated in the same block");
      continue;
    }
    HM_ASSIGN_OR_RETURN(auto existing, FindTx(out.tx_hash));
    if (existing) {
      out.status = base::AlreadyExists(
          fmt::format("transaction already committed at height {}", existing->height));
      continue;
    }
    OverlayState state(*store_, pb.writes, tx.module);
    auto result = module->Apply(tx, ctx, state);
    if (!result.ok()) {
      out.status = result.status();
      continue;
    }
    pb.writes.MergeFrom(std::move(state).TakeWrites());
    out.output = std::move(result).value();
    out.index = static_cast<uint32_t>(included.size());
    included.push_back(out.tx_hash);
    pb.block.txs.push_back(tx);
  }
  h.tx_count = static_cast<uint32_t>(included.size());
  h.tx_root = MerkleRoot(included);
  h.state_root = NextStateRoot(parent.state_root, h.height, pb.writes.Digest());
  return pb;
}

Status Chain::Commit(const PendingBlock& pending, bool sync) {
  const BlockHeader& h = pending.block.header();
  Head parent = head();
  HM_CHECK(h.height == parent.height + 1 && h.prev_hash == parent.block_hash);
  HM_CHECK(!pending.block.txs.empty());
  storage::WriteBatch batch;
  batch.Put(kBlocksCf, HeightKey(h.height), pending.block.Encode());
  for (const TxOutcome& o : pending.outcomes) {
    if (o.status.ok()) batch.Put(kTxIndexCf, o.tx_hash, EncodeLocation({h.height, o.index}));
  }
  pending.writes.AddTo(batch);
  Head next{h.height, h.Hash(), h.state_root, h.time_ms};
  batch.Put(kMetaCf, base::AsBytes(kHeadKey), next.Encode());
  HM_TRY(store_->Write(batch, {.sync = sync}));
  {
    std::lock_guard lock(head_mu_);
    head_ = next;
  }
  for (const auto& [name, module] : modules_) module->Commit(h);
  return Status::Ok();
}

Status Chain::ApplyBlock(const Block& block, bool sync) {
  const BlockHeader& want = block.header();
  HM_TRY(VerifyBlockSignature(genesis_, block.signed_header)
             .WithContext(fmt::format("block {}", want.height)));
  auto pending = Execute(block.txs, want.time_ms, want.proposer);
  if (!pending.ok()) {
    return pending.status().WithContext(fmt::format("block {}", want.height));
  }
  if (block.txs.empty()) return base::Corruption(fmt::format("block {} is empty", want.height));
  for (const TxOutcome& o : pending->outcomes) {
    if (!o.status.ok()) {
      return base::Corruption(fmt::format("block {}: transaction {} does not apply: {}",
                                          want.height, base::HexEncode(o.tx_hash),
                                          o.status.ToString()));
    }
  }
  if (pending->block.header().Encode() != want.Encode()) {
    return base::Corruption(fmt::format(
        "block {}: recomputed header differs (state root {} vs {})", want.height,
        base::HexEncode(pending->block.header().state_root), base::HexEncode(want.state_root)));
  }
  pending->block.signed_header = block.signed_header;
  return Commit(*pending, sync);
}

Result<std::optional<Block>> Chain::GetBlock(uint64_t height) const {
  HM_ASSIGN_OR_RETURN(auto raw, store_->Get(kBlocksCf, HeightKey(height)));
  if (!raw) return std::optional<Block>();
  auto block = Block::Decode(*raw);
  if (!block.ok()) {
    return base::Corruption(fmt::format("chain: stored block {}: {}", height,
                                        block.status().message()));
  }
  return std::optional<Block>(std::move(block).value());
}

Result<std::optional<TxLocation>> Chain::FindTx(const Digest32& tx_hash) const {
  HM_ASSIGN_OR_RETURN(auto raw, store_->Get(kTxIndexCf, tx_hash));
  if (!raw) return std::optional<TxLocation>();
  auto loc = DecodeLocation(*raw);
  if (!loc.ok()) return base::Corruption("chain: bad tx index entry");
  return std::optional<TxLocation>(*loc);
}

Result<std::optional<Bytes>> Chain::ReadState(std::string_view module, ByteSpan key) const {
  return store_->Get(kStateCf, StateKey(module, key));
}

base::Status Chain::ScanState(std::string_view module, ByteSpan prefix,
                             const std::function<bool(ByteSpan key, ByteSpan value)>& fn) const {
  const Bytes full = StateKey(module, prefix);
  const size_t strip = full.size() - prefix.size();
  return store_->ScanPrefix(kStateCf, full, [&](ByteSpan key, ByteSpan value) {
    return fn(key.subspan(strip), value);
  });
}

Result<Head> ReplayChain(const storage::KvStore& source, storage::KvStore* scratch,
                         const Genesis& genesis, std::vector<Module*> modules) {
  HM_ASSIGN_OR_RETURN(auto chain, Chain::Open(scratch, genesis, std::move(modules)));
  HM_ASSIGN_OR_RETURN(auto it, source.NewIterator(kBlocksCf));
  uint64_t expect = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto block = Block::Decode(it->value());
    if (!block.ok()) return base::Corruption("replay: " + std::string(block.status().message()));
    if (block->header().height != expect) {
      return base::Corruption(fmt::format("replay: expected height {}, found {}", expect,
                                          block->header().height));
    }
    HM_TRY(chain->ApplyBlock(*block, /*sync=*/false));
    ++expect;
  }
  HM_TRY(it->status());
  return chain->head();
}

}  // namespace hm::chain
