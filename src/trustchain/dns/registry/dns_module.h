// The "dns" chain module (docs/spec/dns-registry.md): RRset changes as transactions, authorised
// by the requester's TrustChain certificate (read from the ca module's state) or by the issuing
// CA; RRsets, per-name replay guards and the zone serial in module state. DnsReader reads them
// back from committed state.
// Thread-safety: DnsModule follows chain::Module (Check from any thread; Apply/Commit on the
// chain's writer). DnsReader may be used from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "chain/chain.h"
#include "chain/module.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/dns/message.h"

namespace hm::trustchain::dns {

inline constexpr std::string_view kModuleName = "dns";
inline constexpr uint64_t kKindChange = 1;

inline constexpr uint8_t kTagRrsetChange = 0x30;
inline constexpr uint8_t kTagRrsetRecord = 0x31;

inline constexpr size_t kMaxRdatas = 64;
inline constexpr size_t kMaxRdataBytes = 4096;
inline constexpr size_t kMaxRrsetBytes = 16 * 1024;
inline constexpr uint32_t kMaxTtl = 604800;
inline constexpr uint64_t kMaxChangeSkewMs = 10 * 60 * 1000;
inline constexpr size_t kMaxSignatureBytes = 8192;

enum class ChangeOp : uint8_t { kReplace = 1, kAdd = 2, kDelete = 3 };
enum class ChangeAuthority : uint8_t { kCertificateKey = 1, kIssuingCa = 2 };

// Kind 1 payload. Decode checks the record format only (see ValidateContent for the rest).
struct RrsetChange {
  ChangeOp op = ChangeOp::kReplace;
  std::string name;  // lower case, no trailing dot
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<base::Bytes> rdatas;  // uncompressed wire rdata
  uint64_t timestamp_ms = 0;
  ChangeAuthority authority = ChangeAuthority::kCertificateKey;
  base::Bytes serial;     // authority 1
  base::Bytes signature;

  base::Bytes Encode() const;
  static base::Result<RrsetChange> Decode(base::ByteSpan bytes);
  // "hm.dns.v1" || 0x00 || the record without serial and signature.
  base::Bytes SigningMessage() const;
  // Everything Apply checks that needs no state or keys: name, type, rdata, sizes, op rules.
  // (Decode already checked the authority and serial fields.)
  base::Status ValidateContent() const;
};

// One stored RRset.
struct RrsetRecord {
  uint32_t ttl = 0;
  std::vector<base::Bytes> rdatas;

  base::Bytes Encode() const;
  static base::Result<RrsetRecord> Decode(base::ByteSpan bytes);
};

// Types a change may carry (A, AAAA, CNAME, TXT, SRV, CAA, SVCB, HTTPS).
bool IsRegistrableType(uint16_t type);
// Lower-cases and checks an owner name as the module keys it ("app.hypermesh", "*.x.hypermesh").
base::Result<std::string> CanonicalOwner(std::string_view name);
// True if a certificate with subjectAltName dNSNames `san_names` may change `name`
// (docs/spec/dns-registry.md, Apply step 3). Both lower case, no trailing dots.
bool CertificateCoversName(const std::vector<std::string>& san_names, std::string_view name);

base::Bytes RrsetKey(std::string_view name, uint16_t type);  // 'R' || name || 0 || u16 type
base::Bytes LastChangeKey(std::string_view name);              // 'T' || name
base::Bytes SerialKey();                                       // 'S'

chain::Transaction MakeChangeTx(const RrsetChange& change, uint64_t nonce);

class DnsModule final : public chain::Module {
 public:
  // `ca_params` from the genesis (nullopt or invalid: issuing-CA changes are refused).
  explicit DnsModule(std::optional<ca::CaParams> ca_params);
  ~DnsModule() override;

  std::string_view Name() const override { return kModuleName; }
  base::Status Check(const chain::Transaction& tx) const override;
  base::Result<base::Bytes> Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                  chain::ModuleState& state) override;
  // Calls the change listener (if any) after a block with a dns change is durable.
  void Commit(const chain::BlockHeader& header) override;

  // Set before the chain is opened; runs on the sequencer thread.
  void SetChangeListener(std::function<void(uint64_t height)> listener) {
    listener_ = std::move(listener);
  }

 private:
  base::Status Authorise(const RrsetChange& change, const chain::BlockContext& ctx,
                         const chain::ModuleState& state) const;

  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::function<void(uint64_t)> listener_;
  bool changed_in_block_ = false;
};

struct StoredRrset {
  std::string name;
  uint16_t type = 0;
  RrsetRecord record;
};

// Reads the registry from committed state.
class DnsReader {
 public:
  explicit DnsReader(const chain::Chain& chain) : chain_(chain) {}
  // Every RRset, in key order. Corruption when a record does not decode.
  base::Result<std::vector<StoredRrset>> All() const;
  base::Result<std::optional<RrsetRecord>> Find(std::string_view name, uint16_t type) const;
  // Timestamp of the last accepted change of `name` (0 if none).
  base::Result<uint64_t> LastChange(std::string_view name) const;
  // Number of applied changes (0 before the first).
  base::Result<uint64_t> ChangeCount() const;

 private:
  const chain::Chain& chain_;
};

}  // namespace hm::trustchain::dns
