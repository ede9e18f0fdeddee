#include "cli/get_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "api/http3_client.h"
#include "api/http_client.h"

namespace hm::cli {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFetchFailed = 3;

// What both transports return, for printing.
struct Fetched {
  std::string protocol;  // "HTTP/3", "HTTP/1.1"
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // empty when the body was streamed to its destination
  uint64_t body_bytes = 0;
};

// Where the body goes: `out`, or FILE.tmp renamed to FILE once complete. A FILE that exists
// and is not a regular file (/dev/null, a FIFO, a terminal) is written directly: renaming onto
// it would replace the device node with a plain file.
class BodyWriter {
 public:
  BodyWriter(std::FILE* out, std::string path) : out_(out), path_(std::move(path)) {}
  ~BodyWriter() {
    if (file_ != nullptr) {
      std::fclose(file_);
      if (!direct_) ::unlink(tmp().c_str());
    }
  }

  base::Status Open() {
    if (path_.empty()) return base::Status::Ok();
    struct stat st {};
    direct_ = ::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
    const std::string target = direct_ ? path_ : tmp();
    file_ = std::fopen(target.c_str(), "wb");
    if (file_ == nullptr) {
      return base::InvalidArgument("cannot write " + target + ": " + std::strerror(errno));
    }
    return base::Status::Ok();
  }
  void Write(const void* data, size_t len) {
    std::FILE* f = file_ != nullptr ? file_ : out_;
    if (len > 0 && std::fwrite(data, 1, len, f) != len) failed_ = true;
  }
  // Flushes and, for a file, renames it into place.
  base::Status Finish() {
    if (file_ == nullptr) {
      if (std::fflush(out_) != 0 || failed_) return base::IoError("writing the body failed");
      return base::Status::Ok();
    }
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (direct_) {
      if (!closed || failed_) return base::IoError("writing " + path_ + " failed");
      return base::Status::Ok();
    }
    if (!closed || failed_ || std::rename(tmp().c_str(), path_.c_str()) != 0) {
      const int e = errno;
      ::unlink(tmp().c_str());
      return base::IoError("writing " + path_ + ": " + std::strerror(e));
    }
    return base::Status::Ok();
  }

 private:
  std::string tmp() const { return path_ + ".tmp"; }
  std::FILE* out_;
  std::string path_;
  std::FILE* file_ = nullptr;
  bool direct_ = false;  // writing into an existing non-regular file
  bool failed_ = false;
};

// A system CA bundle for HTTP/3 (GnuTLS needs a file); "" if none of the usual ones exists.
std::string SystemCaBundle() {
  for (const char* p : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}) {
    if (::access(p, R_OK) == 0) return p;
  }
  return "";
}

base::Result<Fetched> FetchH3(const GetOptions& o, const std::string& ca,
                              std::chrono::milliseconds timeout, BodyWriter* stream_to) {
  api::Http3FetchOptions f;
  f.insecure = o.insecure;
  f.ca_file = o.insecure ? "" : ca;
  f.timeout = timeout;
  uint64_t streamed = 0;
  if (stream_to != nullptr) {
    f.on_body = [stream_to, &streamed](base::ByteSpan b) {
      stream_to->Write(b.data(), b.size());
      streamed += b.size();
    };
  }
  HM_ASSIGN_OR_RETURN(api::Http3Response r, api::Http3Fetch(o.url, f));
  Fetched out{"HTTP/3", r.status, std::move(r.headers), std::move(r.body), streamed};
  if (stream_to == nullptr) out.body_bytes = out.body.size();
  return out;
}

base::Result<Fetched> FetchHttps(const GetOptions& o, const api::HttpsUrl& url,
                                 const std::string& ca, std::chrono::milliseconds timeout) {
  api::ClientOptions c;
  c.host = url.host;
  c.port = url.port;
  c.ca_file = ca;  // empty: the system trust store
  c.verify = !o.insecure;
  c.timeout = timeout;
  c.max_response_bytes = uint64_t{1} << 31;
  HM_ASSIGN_OR_RETURN(api::ClientResponse r, api::HttpsRequest(c, "GET", url.target));
  Fetched out{"HTTP/1.1", r.status, {}, std::move(r.body), 0};
  for (auto& [name, value] : r.headers) out.headers.emplace_back(name, std::move(value));
  out.body_bytes = out.body.size();
  return out;
}

int Fail(std::FILE* err, int code, const base::Status& s) {
  std::fprintf(err, "hm get: %s\n", std::string(s.message()).c_str());
  return code;
}

// Checks what can be checked before any network I/O; a usage error on failure.
base::Status Validate(const GetOptions& o, const std::string& ca) {
  HM_TRY(api::ParseHttpsUrl(o.url).status());
  if (!(o.timeout_s > 0) || o.timeout_s > 86400 || !std::isfinite(o.timeout_s)) {
    return base::InvalidArgument("--timeout must be a number of seconds between 0 and 86400");
  }
  if (o.h3 && !o.insecure && ca.empty()) {
    return base::InvalidArgument(
        "no CA certificate to verify the server with and no system "
        "bundle found: use --cacert FILE or --insecure");
  }
  if (!o.insecure && !ca.empty() && ::access(ca.c_str(), R_OK) != 0) {
    return base::InvalidArgument("cannot read CA file " + ca + ": " + std::strerror(errno));
  }
  return base::Status::Ok();
}

void PrintHead(std::FILE* out, const Fetched& f) {
  std::fprintf(out, "%s %d\n", f.protocol.c_str(), f.status);
  for (const auto& [name, value] : f.headers) {
    std::fprintf(out, "%s: %s\n", name.c_str(), value.c_str());
  }
  std::fprintf(out, "\n");
}

}  // namespace

int RunGet(const GetOptions& options, const std::string& default_cacert, std::FILE* out,
           std::FILE* err) {
  std::string ca = options.cacert.empty() ? default_cacert : options.cacert;
  // GnuTLS (HTTP/3) needs a file; the HTTPS client falls back to the system store by itself.
  if (options.h3 && ca.empty()) ca = SystemCaBundle();
  if (auto s = Validate(options, ca); !s.ok()) return Fail(err, kExitUsage, s);
  const auto url = api::ParseHttpsUrl(options.url);
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(std::ceil(options.timeout_s * 1000)));
  BodyWriter body(out, options.output);
  if (auto s = body.Open(); !s.ok()) return Fail(err, kExitUsage, s);
  // The body can be streamed unless the head must be printed first on the same stream.
  const bool stream = !options.output.empty() || !options.include;
  auto fetched = options.h3 ? FetchH3(options, ca, timeout, stream ? &body : nullptr)
                            : FetchHttps(options, *url, ca, timeout);
  if (!fetched.ok()) return Fail(err, kExitFetchFailed, fetched.status());
  if (options.include) PrintHead(out, *fetched);
  body.Write(fetched->body.data(), fetched->body.size());
  if (auto s = body.Finish(); !s.ok()) return Fail(err, kExitFetchFailed, s);
  if (!options.output.empty()) {
    std::fprintf(err, "hm get: wrote %llu bytes to %s\n",
                 static_cast<unsigned long long>(fetched->body_bytes), options.output.c_str());
  }
  return fetched->status >= 200 && fetched->status <= 299 ? 0 : 1;
}

void AddGetCommand(CLI::App& app, GlobalFlags& flags, int& exit_code) {
  auto o = std::make_shared<GetOptions>();
  auto* cmd = app.add_subcommand("get", "fetch an https:// URL and write its body to stdout");
  cmd->add_option("url", o->url, "https://host[:port]/path?query (IPv6 literals in brackets)")
      ->required();
  cmd->add_flag("--h3", o->h3, "use HTTP/3 (QUIC over UDP) instead of HTTPS over TCP");
  cmd->add_option("--cacert", o->cacert,
                  "CA certificate PEM to verify the server with (default: the global --cacert, "
                  "$HM_CACERT, ./hm-data/tls/root.pem, else the system trust store)");
  cmd->add_flag("-k,--insecure", o->insecure, "do not verify the server's certificate");
  cmd->add_option("-o,--output", o->output, "write the body to FILE (atomically) instead");
  cmd->add_flag("-i,--include", o->include, "print the status line and headers first");
  cmd->add_option("--timeout", o->timeout_s, "seconds for the whole exchange (default 30)");
  cmd->callback([o, &flags, &exit_code] { exit_code = RunGet(*o, flags.cacert, stdout, stderr); });
}

}  // namespace hm::cli
