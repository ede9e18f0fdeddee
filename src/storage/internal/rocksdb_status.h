// Maps rocksdb::Status to base::Status. Internal to storage/: only the RocksDB backend and its
// tests include it. Thread-safety: pure functions.
#pragma once

#include <rocksdb/status.h>

#include <string_view>

#include "base/status.h"

namespace hm::storage::internal {

// Every RocksDB code maps to a base code; the message is "<context>: <rocksdb message>".
base::Code MapRocksDbCode(const rocksdb::Status& s);
base::Status FromRocksDb(const rocksdb::Status& s, std::string_view context);

// Classifies a failure of DB::Open / ListColumnFamilies on `path`: a held LOCK becomes
// kUnavailable, bad on-disk data kCorruption, a missing DB kNotFound; every message names the path.
base::Status OpenError(const rocksdb::Status& s, std::string_view path);

}  // namespace hm::storage::internal
