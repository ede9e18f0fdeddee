#include "storage/internal/rocksdb_status.h"

#include <fmt/format.h>

#include <string>

namespace hm::storage::internal {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

base::Code MapRocksDbCode(const rocksdb::Status& s) {
  using base::Code;
  switch (s.code()) {
    case rocksdb::Status::kOk: return Code::kOk;
    case rocksdb::Status::kNotFound: return Code::kNotFound;
    case rocksdb::Status::kCorruption: return Code::kCorruption;
    case rocksdb::Status::kNotSupported: return Code::kUnimplemented;
    case rocksdb::Status::kInvalidArgument: return Code::kInvalidArgument;
    case rocksdb::Status::kIOError: return Code::kIoError;
    case rocksdb::Status::kMergeInProgress: return Code::kInternal;  // we never use merges
    case rocksdb::Status::kIncomplete: return Code::kUnavailable;
    case rocksdb::Status::kShutdownInProgress: return Code::kUnavailable;
    case rocksdb::Status::kTimedOut: return Code::kDeadlineExceeded;
    case rocksdb::Status::kAborted: return Code::kAborted;
    case rocksdb::Status::kBusy: return Code::kUnavailable;
    case rocksdb::Status::kExpired: return Code::kDeadlineExceeded;
    case rocksdb::Status::kTryAgain: return Code::kUnavailable;
    case rocksdb::Status::kCompactionTooLarge: return Code::kResourceExhausted;
    case rocksdb::Status::kColumnFamilyDropped: return Code::kFailedPrecondition;
    default: return Code::kInternal;
  }
}

base::Status FromRocksDb(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return base::Status::Ok();
  return base::Status(MapRocksDbCode(s), fmt::format("{}: {}", context, s.ToString()));
}

base::Status OpenError(const rocksdb::Status& s, std::string_view path) {
  if (s.ok()) return base::Status::Ok();
  const std::string text = s.ToString();
  // PosixEnv::LockFile reports "While lock file: <db>/LOCK: ..." when another process holds the
  // fcntl lock, and "lock hold by current process" when this process already has the DB open.
  if (s.IsIOError() && Contains(text, "lock hold by current")) {
    return base::Unavailable(
        fmt::format("storage: {} is locked: this process already has it open: {}", path, text));
  }
  if (s.IsIOError() && Contains(text, "/LOCK:")) {
    return base::Unavailable(fmt::format(
        "storage: {} is locked by another process (is another hypermeshd running on this data "
        "dir?): {}",
        path, text));
  }
  if (s.IsCorruption()) {
    return base::Corruption(fmt::format("storage: {} is corrupt: {}", path, text));
  }
  if (s.IsInvalidArgument() && Contains(text, "does not exist")) {
    return base::NotFound(
        fmt::format("storage: {} does not exist and create_if_missing is off", path));
  }
  if (s.IsInvalidArgument() && Contains(text, "exists (error_if_exists")) {
    return base::AlreadyExists(
        fmt::format("storage: {} already exists and error_if_exists is on", path));
  }
  return FromRocksDb(s, fmt::format("storage: cannot open {}", path));
}

}  // namespace hm::storage::internal
