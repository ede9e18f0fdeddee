#include "crypto/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/bytes.h"

namespace hm::crypto {
namespace {

namespace fs = std::filesystem;
using base::Code;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hm_key_file_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  static unsigned Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(KeyFileTest, SecretFileIsMode0600AndReadsBack) {
  const std::string path = Path("node.key");
  const auto content = base::AsBytes("-----BEGIN PRIVATE KEY-----\n...\n");
  ASSERT_TRUE(WriteSecretFile(path, content).ok());
  EXPECT_EQ(Mode(path), 0600u);
  auto read = ReadSecretFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, base::Bytes(content.begin(), content.end()));
}

TEST_F(KeyFileTest, ModeIsExactDespiteUmask) {
  const mode_t old = ::umask(0077);
  const std::string pub = Path("node.crt");
  EXPECT_TRUE(WritePublicFile(pub, base::AsBytes("cert")).ok());
  ::umask(old);
  EXPECT_EQ(Mode(pub), 0644u);
}

TEST_F(KeyFileTest, PublicFileIs0644AndReadable) {
  const std::string path = Path("node.crt");
  ASSERT_TRUE(WritePublicFile(path, base::AsBytes("cert bytes")).ok());
  EXPECT_EQ(Mode(path), 0644u);
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(base::AsString(*read), "cert bytes");
}

TEST_F(KeyFileTest, OpenSecretFileRefused) {
  const std::string path = Path("leaky.key");
  ASSERT_TRUE(WritePublicFile(path, base::AsBytes("secret")).ok());  // 0644
  auto read = ReadSecretFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Code::kPermissionDenied);
  EXPECT_NE(read.status().message().find(path), std::string_view::npos);
  EXPECT_NE(read.status().message().find("0644"), std::string_view::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(ReadSecretFile(path).status().code(), Code::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0602), 0);
  EXPECT_EQ(ReadSecretFile(path).status().code(), Code::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(ReadSecretFile(path).ok());
}

TEST_F(KeyFileTest, AtomicReplaceLeavesNoTempFiles) {
  const std::string path = Path("node.key");
  ASSERT_TRUE(WriteSecretFile(path, base::AsBytes("old")).ok());
  ASSERT_TRUE(WriteSecretFile(path, base::AsBytes("new content")).ok());
  EXPECT_EQ(Entries(), std::vector<std::string>{"node.key"});
  auto read = ReadSecretFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(base::AsString(*read), "new content");
  EXPECT_EQ(Mode(path), 0600u);
}

TEST_F(KeyFileTest, EmptyContent) {
  const std::string path = Path("empty");
  ASSERT_TRUE(WriteSecretFile(path, {}).ok());
  auto read = ReadSecretFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
}

TEST_F(KeyFileTest, ErrorsNameThePath) {
  const std::string missing = Path("nope.key");
  auto r = ReadSecretFile(missing);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find(missing), std::string_view::npos);
  EXPECT_EQ(ReadFile(missing).status().code(), Code::kNotFound);

  const std::string no_dir = Path("no/such/dir/node.key");
  base::Status st = WriteSecretFile(no_dir, base::AsBytes("x"));
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_NE(st.message().find(no_dir), std::string_view::npos);

  EXPECT_EQ(ReadFile(dir_.string()).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Entries(), std::vector<std::string>{});
}

TEST_F(KeyFileTest, SizeLimit) {
  const std::string path = Path("big");
  ASSERT_TRUE(WritePublicFile(path, base::Bytes(5000, 'a')).ok());
  EXPECT_EQ(ReadFile(path, 4999).status().code(), Code::kResourceExhausted);
  auto ok = ReadFile(path, 5000);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 5000u);
}

TEST_F(KeyFileTest, RelativePathInCurrentDirectory) {
  const fs::path old = fs::current_path();
  fs::current_path(dir_);
  EXPECT_TRUE(WriteSecretFile("rel.key", base::AsBytes("k")).ok());
  fs::current_path(old);
  EXPECT_EQ(Mode(Path("rel.key")), 0600u);
  EXPECT_EQ(Entries(), std::vector<std::string>{"rel.key"});
}

}  // namespace
}  // namespace hm::crypto
