// RunGet against a real HttpServer (HTTPS/TCP) + StoqServer (HTTP/3) on [::1], port 0.
#include "cli/get_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "api/http_server.h"
#include "net/test_certs.h"
#include "stoq/server.h"

namespace hm::cli {
namespace {

// A FILE* standing in for stdout/stderr whose contents the test reads back.
class Capture {
 public:
  Capture() : f_(std::tmpfile()) {}
  ~Capture() { std::fclose(f_); }
  std::FILE* get() { return f_; }
  std::string Text() {
    std::fflush(f_);
    std::rewind(f_);
    std::string s;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f_)) > 0;) s.append(buf, n);
    return s;
  }

 private:
  std::FILE* f_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

const std::string kBinary("bin\0ary\r\n\xff", 10);

class GetCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = net::testing::MakeSelfSignedCert({"localhost"}, {"::1"});
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    auto files = net::testing::WriteCertFiles(dir_, *cert);
    ASSERT_TRUE(files.ok());
    auto tls = net::MakeServerTlsContext(files->cert_path, files->key_path);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    ASSERT_TRUE(loop_.Start().ok());
    ASSERT_TRUE(router_
                    .Add("GET", "/hello",
                         [](const api::Request&) { return api::Response::Text(200, "hello"); })
                    .ok());
    ASSERT_TRUE(router_
                    .Add("GET", "/bin",
                         [](const api::Request&) {
                           return api::Response::Text(200, kBinary, "application/octet-stream");
                         })
                    .ok());
    api::HttpServerOptions options;
    options.listen_port = 0;
    options.handler_threads = 1;
    http_ = std::make_unique<api::HttpServer>(options, loop_, *tls, router_, metrics_);
    ASSERT_TRUE(http_->Start().ok());
    auto cred = stoq::TlsCredentials::FromPemFiles(files->cert_path, files->key_path);
    ASSERT_TRUE(cred.ok()) << cred.status().ToString();
    stoq::StoqServerOptions so;
    so.port = 0;
    stoq_ = std::make_unique<stoq::StoqServer>(so, *cred, metrics_);
    ASSERT_TRUE(stoq_->RegisterAlpn(std::string(stoq::kAlpnH3), http_->Http3Factory()).ok());
    ASSERT_TRUE(stoq_->Start().ok());
    options_.h3 = true;
    options_.insecure = true;
    options_.timeout_s = 20;
  }

  void TearDown() override {
    stoq_.reset();
    http_.reset();
    loop_.Stop();
  }

  std::string H3Url(const std::string& path) {
    return "https://[::1]:" + std::to_string(stoq_->port()) + path;
  }
  int Run() { return RunGet(options_, "", out_.get(), err_.get()); }

  net::testing::TempDir dir_;
  net::EventLoop loop_{"hm-io", 1};
  api::Router router_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<api::HttpServer> http_;
  std::unique_ptr<stoq::StoqServer> stoq_;
  GetOptions options_;
  Capture out_, err_;
};

TEST_F(GetCommandTest, H3BodyToStdoutIsBinarySafe) {
  options_.url = H3Url("/bin");
  EXPECT_EQ(Run(), 0) << err_.Text();
  EXPECT_EQ(out_.Text(), kBinary);
  EXPECT_EQ(err_.Text(), "");
}

TEST_F(GetCommandTest, IncludePrintsStatusAndHeadersFirst) {
  options_.url = H3Url("/hello");
  options_.include = true;
  EXPECT_EQ(Run(), 0) << err_.Text();
  const std::string text = out_.Text();
  EXPECT_EQ(text.rfind("HTTP/3 200\n", 0), 0u) << text;
  EXPECT_NE(text.find("\ncontent-length: 5\n"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 7), "\n\nhello") << text;
}

TEST_F(GetCommandTest, NotFoundExitsOneAndStillPrintsTheBody) {
  options_.url = H3Url("/missing");
  EXPECT_EQ(Run(), 1);
  EXPECT_NE(out_.Text().find("\"code\""), std::string::npos) << out_.Text();
}

TEST_F(GetCommandTest, OutputFileIsWrittenAtomically) {
  const std::string path = dir_.path() + "/body.out";
  options_.url = H3Url("/bin");
  options_.output = path;
  EXPECT_EQ(Run(), 0) << err_.Text();
  EXPECT_EQ(ReadFile(path), kBinary);
  EXPECT_FALSE(Exists(path + ".tmp"));
  EXPECT_EQ(out_.Text(), "");
  EXPECT_EQ(err_.Text(), "hm get: wrote 10 bytes to " + path + "\n");
}

// `-o /dev/null` (or any device or FIFO) is written into, never renamed over.
TEST_F(GetCommandTest, OutputToADeviceKeepsTheDevice) {
  options_.url = H3Url("/bin");
  options_.output = "/dev/null";
  EXPECT_EQ(Run(), 0) << err_.Text();
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null is no longer a character device";
  EXPECT_FALSE(Exists("/dev/null.tmp"));
}

TEST_F(GetCommandTest, UnwritableOutputIsAUsageError) {
  options_.url = H3Url("/bin");
  options_.output = dir_.path() + "/no/such/dir/out";
  EXPECT_EQ(Run(), 2);
  EXPECT_EQ(err_.Text().rfind("hm get: ", 0), 0u);
}

TEST_F(GetCommandTest, WithoutH3UsesHttpsOverTcp) {
  options_.h3 = false;
  options_.url = "https://[::1]:" + std::to_string(http_->port()) + "/hello";
  options_.include = true;
  EXPECT_EQ(Run(), 0) << err_.Text();
  const std::string text = out_.Text();
  EXPECT_EQ(text.rfind("HTTP/1.1 200\n", 0), 0u) << text;
  EXPECT_EQ(text.substr(text.size() - 5), "hello");
}

TEST_F(GetCommandTest, UsageErrorsExitTwo) {
  for (const char* url : {"http://[::1]/", "https://127.0.0.1/", "not a url"}) {
    Capture err;
    options_.url = url;
    EXPECT_EQ(RunGet(options_, "", out_.get(), err.get()), 2) << url;
    EXPECT_EQ(err.Text().rfind("hm get: ", 0), 0u) << err.Text();
  }
  options_.url = H3Url("/hello");
  options_.timeout_s = 0;
  EXPECT_EQ(Run(), 2);
  options_.timeout_s = 5;
  options_.insecure = false;
  options_.cacert = dir_.path() + "/missing.pem";
  EXPECT_EQ(Run(), 2);
  EXPECT_EQ(out_.Text(), "");
}

TEST_F(GetCommandTest, TransportFailureExitsThree) {
  options_.url = "https://[::1]:1/hello";  // nothing answers on UDP port 1
  options_.timeout_s = 1;
  EXPECT_EQ(Run(), 3);
  const std::string err = err_.Text();
  EXPECT_EQ(err.rfind("hm get: ", 0), 0u) << err;
  EXPECT_NE(err.find("timed out"), std::string::npos) << err;
}

}  // namespace
}  // namespace hm::cli
