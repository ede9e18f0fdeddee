// hypermeshd: the HyperMesh node daemon.
// Exit codes: 0 clean shutdown; 1 runtime failure; 2 bad configuration or usage (the message
// names the setting); 3 address in use or data directory locked by another process.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>

#include "base/log.h"
#include "node/config.h"
#include "node/node.h"

namespace {

using hm::base::Code;

int ExitCodeFor(const hm::base::Status& st) {
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kFailedPrecondition:
    case Code::kPermissionDenied:
      return 2;
    case Code::kUnavailable:
      return 3;
    default:
      return 1;
  }
}

int Fail(const hm::base::Status& st) {
  std::fprintf(stderr, "hypermeshd: %s\n", std::string(st.message()).c_str());
  return ExitCodeFor(st);
}

struct Flags {
  std::string config;
  bool dev = false;
  std::optional<std::string> data_dir, listen, log_level;
  std::optional<uint16_t> port, dns_port;
  bool log_json = false;
  bool print_config = false;
  bool version = false;
};

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"hypermeshd: the HyperMesh node daemon (TrustChain, STOQ, HyperMesh, Catalog, "
               "Caesar, NGauge behind one port)"};
  app.add_option("--config", f.config, "TOML configuration file (see --print-config)");
  app.add_flag("--dev", f.dev, "development node: ./hm-data, [::1], genesis and keys created");
  app.add_option("--data-dir", f.data_dir, "data directory (node.data_dir)");
  app.add_option("--listen", f.listen,
                 "IPv6 listen address of the API and DNS (api.listen, dns.listen), e.g. :: or ::1");
  app.add_option("--port", f.port, "HTTPS port (api.port); 0 picks a free port");
  app.add_option("--dns-port", f.dns_port,
                 "DNS port, UDP and TCP (dns.port; 53, --dev 8053); 0 picks a free port");
  app.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off (log.level)");
  app.add_flag("--log-json", f.log_json, "log one JSON object per line (log.json)");
  app.add_flag("--print-config", f.print_config, "print an example configuration and exit");
  app.add_flag("--version", f.version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (f.version) {
    std::printf("hypermeshd %s\n", hm::node::kVersion);
    return 0;
  }
  if (f.print_config) {
    std::fputs(hm::node::ExampleConfig().c_str(), stdout);
    return 0;
  }

  hm::node::NodeOptions options = f.dev ? hm::node::NodeOptions::Dev() : hm::node::NodeOptions();
  if (!f.config.empty()) {
    auto loaded = hm::node::LoadConfigFile(f.config, options);
    if (!loaded.ok()) return Fail(loaded.status());
    options = std::move(loaded).value();
    if (f.dev) options.dev = true;
  }
  if (f.data_dir) options.data_dir = *f.data_dir;
  if (f.listen) options.api.listen = options.dns.listen = *f.listen;
  if (f.port) options.api.port = *f.port;
  if (f.dns_port) options.dns.port = *f.dns_port;
  if (f.log_json) options.log.json = true;
  if (f.log_level) {
    auto level = hm::base::ParseLogLevel(*f.log_level);
    if (!level.ok()) return Fail(level.status().WithContext("--log-level"));
    options.log.level = *level;
  }
  if (auto st = options.Validate(); !st.ok()) return Fail(st);
  hm::base::InitLogging(options.log);

  // Signals are taken synchronously by the main thread; every thread started later inherits
  // the blocked mask, so SIGINT/SIGTERM never interrupt I/O or the sequencer.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  hm::node::Node node(options);
  if (auto st = node.Start(); !st.ok()) {
    node.Shutdown();
    return Fail(st);
  }
  const auto& layout = node.layout();
  const std::string host = options.api.listen == "::" ? "::1" : options.api.listen;
  std::printf("hypermeshd %s listening on https://[%s]:%u (node id %s)\n", hm::node::kVersion,
              options.api.listen.c_str(), node.api_port(), node.node_id_hex().substr(0, 16).c_str());
  std::printf("TLS certificate %s issued by the TrustChain CA (root: %s)\n"
              "  try: curl --cacert %s https://[%s]:%u/api/v1/status\n",
              node.tls_serial().c_str(), layout.tls_root.c_str(), layout.tls_root.c_str(),
              host.c_str(), node.api_port());
  if (node.dns_port() != 0) {
    const std::string dns_host = options.dns.listen == "::" ? "::1" : options.dns.listen;
    std::printf("DNS for %s on [%s]:%u (UDP, TCP) and https://[%s]:%u/dns-query\n"
                "  try: dig @%s -p %u AAAA trust.%s\n",
                options.dns.zones.front().c_str(), options.dns.listen.c_str(), node.dns_port(),
                host.c_str(), node.api_port(), dns_host.c_str(), node.dns_port(),
                options.dns.zones.front().c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  HM_LOG_INFO("node", "received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  node.Shutdown();
  HM_LOG_INFO("node", "stopped cleanly");
  return 0;
}
