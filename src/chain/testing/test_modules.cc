#include "chain/testing/test_modules.h"

#include "codec/codec.h"

namespace hm::chain::testing {

namespace {

Bytes EncodeU64(uint64_t v) {
  codec::Writer w(8);
  w.U64(v);
  return std::move(w).Take();
}

base::Status AddOne(ModuleState& state, ByteSpan key) {
  HM_ASSIGN_OR_RETURN(auto cur, state.Get(key));
  state.Put(key, EncodeU64(CounterModule::Decode(cur) + 1));
  return base::Status::Ok();
}

}  // namespace

uint64_t CounterModule::Decode(const std::optional<Bytes>& value) {
  if (!value) return 0;
  codec::Reader r(*value);
  auto v = r.U64();
  return v.ok() ? *v : 0;
}

base::Status CounterModule::Check(const Transaction& tx) const {
  if (tx.kind != kIncrement && tx.kind != kAlwaysFails) {
    return base::InvalidArgument("counter: unknown kind");
  }
  if (tx.payload.empty() || tx.payload.size() > 64) {
    return base::InvalidArgument("counter: name must be 1-64 bytes");
  }
  return base::Status::Ok();
}

base::Result<Bytes> CounterModule::Apply(const Transaction& tx, const BlockContext& ctx,
                                         ModuleState& state) {
  if (tx.kind == kAlwaysFails) return base::FailedPrecondition("counter: rejected on purpose");
  HM_TRY(AddOne(state, tx.payload));
  HM_TRY(AddOne(state, base::AsBytes("#total")));
  state.Put(base::AsBytes("#last_height"), EncodeU64(ctx.height));
  return EncodeU64(ctx.height);
}

base::Status CounterModule::InitGenesis(const Genesis&, ModuleState& state) {
  state.Put(base::AsBytes("#total"), EncodeU64(0));
  return base::Status::Ok();
}

Transaction CounterModule::Increment(std::string_view counter, uint64_t nonce) {
  Transaction tx;
  tx.module = "counter";
  tx.kind = kIncrement;
  tx.nonce = nonce;
  tx.payload = base::ToBytes(counter);
  return tx;
}

}  // namespace hm::chain::testing
