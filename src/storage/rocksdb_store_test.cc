// RocksDB backend: persistence, crash survival, and the errors an operator sees on open.
#include "storage/rocksdb_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <rocksdb/convenience.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "storage/internal/rocksdb_status.h"
#include "storage/test_util.h"

extern char** environ;

namespace hm::storage {
namespace {

using base::AsBytes;
using base::AsString;
using base::Code;

constexpr int kChildReportFd = 200;  // the pipe end a child reports on

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::unique_ptr<KvStore> MustOpen(const std::string& path, std::vector<std::string> cfs) {
  RocksDbOptions options;
  options.column_families = std::move(cfs);
  auto store = OpenRocksDb(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::string Read(const KvStore& store, std::string_view cf, std::string_view key) {
  auto r = store.Get(cf, AsBytes(key));
  if (!r.ok()) return "<error: " + r.status().ToString() + ">";
  if (!r->has_value()) return "<absent>";
  return std::string(AsString(**r));
}

void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Re-runs this binary as a child that executes StorageChildProcess.Main in `mode` on `db`. A fresh
// exec (not a bare fork) so the child does not inherit this process's RocksDB threads and locks.
class ChildProcess {
 public:
  ChildProcess(const std::string& mode, const std::string& db) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      // GTEST_* (output files, sharding) belong to the parent run.
      if (!std::string_view(*e).starts_with("GTEST_")) env.emplace_back(*e);
    }
    env.push_back("HM_STORAGE_CHILD=" + mode);
    env.push_back("HM_STORAGE_CHILD_DB=" + db);
    std::vector<char*> envp;
    for (std::string& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string filter = "--gtest_filter=StorageChildProcess.Main";
    char* argv[] = {exe.data(), filter.data(), nullptr};
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until execve
      ::dup2(fds[1], kChildReportFd);
      ::dup2(devnull, STDOUT_FILENO);
      ::execve(exe.c_str(), argv, envp.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    ::close(devnull);
    report_fd_ = fds[0];
  }
  ~ChildProcess() {
    Kill();
    if (report_fd_ >= 0) ::close(report_fd_);
  }

  // The byte the child reports once ready, or 0 if it exited first or took over a minute.
  char WaitForReport() {
    pollfd p{report_fd_, POLLIN, 0};
    if (::poll(&p, 1, 60'000) != 1) return 0;
    char c = 0;
    return ::read(report_fd_, &c, 1) == 1 ? c : 0;
  }

  // SIGKILLs and reaps the child; true if SIGKILL is what ended it.
  bool Kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return r > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

 private:
  pid_t pid_ = -1;
  int report_fd_ = -1;
};

// The child half of the multi-process tests; skipped in a normal run.
TEST(StorageChildProcess, Main) {
  const char* mode = std::getenv("HM_STORAGE_CHILD");
  if (mode == nullptr) GTEST_SKIP() << "runs only as the child of the multi-process tests";
  std::unique_ptr<KvStore> store = MustOpen(std::getenv("HM_STORAGE_CHILD_DB"), {"blocks"});
  ASSERT_NE(store, nullptr);
  if (std::string_view(mode) == "write") {
    WriteBatch b;
    for (int i = 0; i < 100; ++i) {
      b.Put("blocks", AsBytes("block/" + std::to_string(i)), AsBytes(std::string(1000, 'b')));
    }
    b.Put("default", AsBytes("height"), AsBytes("99"));
    ASSERT_TRUE(store->Write(b, WriteOptions{.sync = true}).ok());
  }
  const char ready = 'R';
  ASSERT_EQ(::write(kChildReportFd, &ready, 1), 1);
  for (;;) ::pause();  // until the parent's SIGKILL
}

TEST(RocksDbStoreTest, SyncWriteSurvivesSigkill) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ChildProcess child("write", db);
  ASSERT_EQ(child.WaitForReport(), 'R');
  ASSERT_TRUE(child.Kill());

  std::unique_ptr<KvStore> store = MustOpen(db, {"blocks"});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Read(*store, "default", "height"), "99");
  size_t blocks = 0;
  ASSERT_TRUE(store
                  ->ScanPrefix("blocks", AsBytes("block/"),
                               [&](ByteSpan, ByteSpan value) {
                                 EXPECT_EQ(value.size(), 1000u);
                                 return ++blocks, true;
                               })
                  .ok());
  EXPECT_EQ(blocks, 100u);
}

TEST(RocksDbStoreTest, LockedByAnotherProcess) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ChildProcess child("hold", db);
  ASSERT_EQ(child.WaitForReport(), 'R');
  auto second = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable) << second.status().ToString();
  EXPECT_TRUE(Contains(second.status().message(), db)) << second.status().ToString();
  EXPECT_TRUE(Contains(second.status().message(), "locked by another process"));

  ASSERT_TRUE(child.Kill());  // the kernel drops the dead child's lock
  EXPECT_NE(MustOpen(db, {}), nullptr);
}

TEST(RocksDbStoreTest, LockedWithinThisProcess) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  std::unique_ptr<KvStore> first = MustOpen(db, {});
  ASSERT_NE(first, nullptr);
  auto second = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable) << second.status().ToString();
  EXPECT_TRUE(Contains(second.status().message(), "storage: " + db + " is locked"))
      << second.status().ToString();
  ASSERT_TRUE(first->Close().ok());
  EXPECT_NE(MustOpen(db, {}), nullptr);  // Close released the lock
}

TEST(RocksDbStoreTest, ReopenKeepsDataIncludingUnsyncedWrites) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  {
    std::unique_ptr<KvStore> store = MustOpen(db, {"a", "b"});
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    b.Put("a", AsBytes("synced"), AsBytes("1"));
    ASSERT_TRUE(store->Write(b, WriteOptions{.sync = true}).ok());
    b.Clear();
    b.Put("b", AsBytes("unsynced"), AsBytes("2"));
    ASSERT_TRUE(store->Write(b, WriteOptions{.sync = false}).ok());
  }  // the destructor closes
  std::unique_ptr<KvStore> store = MustOpen(db, {"a", "b"});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Read(*store, "a", "synced"), "1");
  EXPECT_EQ(Read(*store, "b", "unsynced"), "2");
}

TEST(RocksDbStoreTest, FlushWritesTablesAndCompressionRoundTrips) {
  for (bool compress : {true, false}) {
    testing::TempDir dir;
    const std::string db = dir.Sub("db");
    RocksDbOptions options;
    options.column_families = {"a"};
    options.compress = compress;
    {
      auto store = OpenRocksDb(db, options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      WriteBatch b;
      for (int i = 0; i < 200; ++i) {
        b.Put("a", AsBytes("k" + std::to_string(i)), AsBytes(std::string(4096, 'a' + i % 26)));
      }
      ASSERT_TRUE((*store)->Write(b).ok());
      ASSERT_TRUE((*store)->Flush().ok());
    }
    bool has_table = false;
    for (const auto& entry : std::filesystem::directory_iterator(db)) {
      has_table |= entry.path().extension() == ".sst";
    }
    EXPECT_TRUE(has_table) << "Flush wrote no table file";
    auto store = OpenRocksDb(db, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(Read(**store, "a", "k199"), std::string(4096, 'a' + 199 % 26));
  }
}

TEST(RocksDbStoreTest, DebianBuildSupportsLz4) {
  auto supported = rocksdb::GetSupportedCompressions();
  EXPECT_NE(std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression),
            supported.end())
      << "RocksDbOptions::compress will fall back to no compression";
}

TEST(RocksDbStoreTest, CreatesMissingAndOpensUnlistedColumnFamilies) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  {
    std::unique_ptr<KvStore> store = MustOpen(db, {"a"});
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    b.Put("a", AsBytes("k"), AsBytes("in-a"));
    ASSERT_TRUE(store->Write(b).ok());
  }
  {
    std::unique_ptr<KvStore> store = MustOpen(db, {"b"});  // "a" not listed, "b" new
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->column_families(), (std::vector<std::string>{"default", "b", "a"}));
    EXPECT_EQ(Read(*store, "a", "k"), "in-a");
    WriteBatch b;
    b.Put("b", AsBytes("k"), AsBytes("in-b"));
    ASSERT_TRUE(store->Write(b).ok());
  }
  std::unique_ptr<KvStore> store = MustOpen(db, {});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Sorted(store->column_families()), (std::vector<std::string>{"a", "b", "default"}));
  EXPECT_EQ(Read(*store, "b", "k"), "in-b");
}

TEST(RocksDbStoreTest, GarbageCurrentIsCorruption) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_NE(MustOpen(db, {"a"}), nullptr);
  WriteFile(db + "/CURRENT", "this is not a manifest name");
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kCorruption) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, CurrentNamingAMissingManifestIsCorruption) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_NE(MustOpen(db, {"a"}), nullptr);
  WriteFile(db + "/CURRENT", "MANIFEST-999999\n");
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kCorruption) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, MissingCurrentBesideDataIsCorruptionNotANewDatabase) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_NE(MustOpen(db, {"a"}), nullptr);
  ASSERT_TRUE(std::filesystem::remove(db + "/CURRENT"));
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kCorruption) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, TruncatedManifestIsCorruption) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  {
    std::unique_ptr<KvStore> store = MustOpen(db, {"a"});
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    b.Put("a", AsBytes("k"), AsBytes("v"));
    ASSERT_TRUE(store->Write(b).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  std::string manifest;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().filename().string().starts_with("MANIFEST-")) manifest = entry.path();
  }
  ASSERT_FALSE(manifest.empty());
  // Cut inside the first record, which names the comparator and the next file number.
  std::filesystem::resize_file(manifest, 10);
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kCorruption) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, PathIsARegularFile) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  WriteFile(db, "not a directory");
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kIoError) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, ParentIsARegularFile) {
  testing::TempDir dir;
  WriteFile(dir.Sub("file"), "not a directory");
  const std::string db = dir.Sub("file/db");
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kIoError) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, UnwritableParentDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  testing::TempDir dir;
  const std::string parent = dir.Sub("ro");
  ASSERT_EQ(::mkdir(parent.c_str(), 0500), 0);
  const std::string db = parent + "/db";
  auto store = OpenRocksDb(db, RocksDbOptions{});
  ::chmod(parent.c_str(), 0700);  // so TempDir can remove it
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kIoError) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), db)) << store.status().ToString();
}

TEST(RocksDbStoreTest, CreateIfMissingAndErrorIfExists) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  RocksDbOptions options;
  options.create_if_missing = false;
  auto missing = OpenRocksDb(db, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound) << missing.status().ToString();
  EXPECT_TRUE(Contains(missing.status().message(), db));

  ASSERT_NE(MustOpen(db, {}), nullptr);
  options.create_if_missing = true;
  options.error_if_exists = true;
  auto exists = OpenRocksDb(db, options);
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), Code::kAlreadyExists) << exists.status().ToString();
  EXPECT_TRUE(Contains(exists.status().message(), db));
}

TEST(RocksDbOptionsTest, Validate) {
  EXPECT_TRUE(RocksDbOptions{}.Validate().ok());
  auto invalid = [](auto mutate) {
    RocksDbOptions o;
    mutate(o);
    return o.Validate().code() == Code::kInvalidArgument;
  };
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.column_families = {""}; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.column_families = {"a", "b", "a"}; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.column_families = {"bad\nname"}; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.column_families = {std::string(256, 'x')}; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.write_buffer_bytes = 1024; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.max_background_jobs = 0; }));
  EXPECT_TRUE(invalid([](RocksDbOptions& o) { o.max_open_files = 3; }));
  EXPECT_FALSE(invalid([](RocksDbOptions& o) { o.max_open_files = -1; }));
  EXPECT_FALSE(invalid([](RocksDbOptions& o) { o.block_cache_bytes = 0; }));

  testing::TempDir dir;
  RocksDbOptions bad;
  bad.max_background_jobs = 0;
  auto store = OpenRocksDb(dir.Sub("db"), bad);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Contains(store.status().message(), dir.Sub("db")));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db"))) << "rejected options must not create";
  EXPECT_EQ(OpenRocksDb("", RocksDbOptions{}).status().code(), Code::kInvalidArgument);
}

TEST(RocksDbStatusTest, MapsEveryCode) {
  using internal::FromRocksDb;
  EXPECT_TRUE(FromRocksDb(rocksdb::Status::OK(), "ctx").ok());
  const std::pair<rocksdb::Status, Code> cases[] = {
      {rocksdb::Status::NotFound("m"), Code::kNotFound},
      {rocksdb::Status::Corruption("m"), Code::kCorruption},
      {rocksdb::Status::NotSupported("m"), Code::kUnimplemented},
      {rocksdb::Status::InvalidArgument("m"), Code::kInvalidArgument},
      {rocksdb::Status::IOError("m"), Code::kIoError},
      {rocksdb::Status::NoSpace("m"), Code::kIoError},
      {rocksdb::Status::MergeInProgress("m"), Code::kInternal},
      {rocksdb::Status::Incomplete("m"), Code::kUnavailable},
      {rocksdb::Status::ShutdownInProgress("m"), Code::kUnavailable},
      {rocksdb::Status::TimedOut("m"), Code::kDeadlineExceeded},
      {rocksdb::Status::Aborted("m"), Code::kAborted},
      {rocksdb::Status::Busy("m"), Code::kUnavailable},
      {rocksdb::Status::Expired("m"), Code::kDeadlineExceeded},
      {rocksdb::Status::TryAgain("m"), Code::kUnavailable},
      {rocksdb::Status::CompactionTooLarge("m"), Code::kResourceExhausted},
      {rocksdb::Status::ColumnFamilyDropped("m"), Code::kFailedPrecondition},
  };
  using internal::OpenError;
  EXPECT_EQ(OpenError(rocksdb::Status::IOError("While lock file: /d/LOCK: Resource temporarily "
                                               "unavailable"),
                      "/d")
                .code(),
            Code::kUnavailable);
  EXPECT_EQ(
      OpenError(rocksdb::Status::IOError("While mkdir if missing: /d: Permission denied"), "/d")
          .code(),
      Code::kIoError);
  for (const auto& [rs, code] : cases) {
    base::Status s = FromRocksDb(rs, "storage: ctx");
    EXPECT_EQ(s.code(), code) << rs.ToString();
    EXPECT_TRUE(Contains(s.message(), "storage: ctx: ")) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "m")) << s.ToString();
  }
}

}  // namespace
}  // namespace hm::storage
