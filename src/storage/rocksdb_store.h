// The RocksDB backend of KvStore: a durable store in one directory, one open per process tree.
// Thread-safety: OpenRocksDb may be called from any thread; the store follows KvStore's contract.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/kv_store.h"

namespace hm::storage {

struct RocksDbOptions {
  // Column families besides "default". Missing ones are created; families already on disk but not
  // listed here are opened too (RocksDB must open all of them) and show up in column_families().
  std::vector<std::string> column_families;
  bool create_if_missing = true;
  bool error_if_exists = false;
  // Extra consistency checks on open and on every read; a mismatch is kCorruption, not a crash.
  bool paranoid_checks = true;
  size_t block_cache_bytes = size_t{64} << 20;   // shared by all column families
  size_t write_buffer_bytes = size_t{16} << 20;  // per memtable, per column family
  int max_background_jobs = 2;                   // flushes plus compactions
  int max_open_files = 1024;                     // -1: keep every table file open
  bool compress = true;  // LZ4 when this RocksDB build has it, else no compression

  // kInvalidArgument naming the offending field.
  Status Validate() const;
};

// Opens (or creates) the database in directory `path`. Errors name the path:
//   kInvalidArgument    options fail Validate()
//   kUnavailable        another process (or this one) has the directory open
//   kCorruption         the on-disk data is damaged (CURRENT, MANIFEST, checksums)
//   kNotFound           no database there and create_if_missing is false
//   kAlreadyExists      a database is there and error_if_exists is true
//   kIoError            the path cannot be created, read or written
Result<std::unique_ptr<KvStore>> OpenRocksDb(const std::string& path,
                                             const RocksDbOptions& options);

}  // namespace hm::storage
