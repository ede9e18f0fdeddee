#include "cli/node_client.h"

#include <sys/stat.h>

#include <cstdlib>

#include "net/address.h"

namespace hm::cli {

void ApplyDefaults(GlobalFlags& flags) {
  if (flags.node.empty()) {
    const char* env = std::getenv("HM_NODE");
    flags.node = env != nullptr && *env != '\0' ? env : "[::1]:8443";
  }
  if (flags.cacert.empty()) {
    const char* env = std::getenv("HM_CACERT");
    struct stat st;
    if (env != nullptr && *env != '\0') {
      flags.cacert = env;
    } else if (::stat("hm-data/tls/root.pem", &st) == 0) {
      // The dev node's TrustChain root, which anchors the node's own leaf and every issued one.
      flags.cacert = "hm-data/tls/root.pem";
    }
  }
}

base::Result<api::ClientOptions> ClientOptionsFor(const GlobalFlags& flags) {
  std::string_view node = flags.node;
  if (node.starts_with("https://")) node.remove_prefix(8);
  if (!node.empty() && node.back() == '/') node.remove_suffix(1);
  auto hp = net::SplitHostPort(node);
  if (!hp.ok()) return hp.status().WithContext("--node '" + flags.node + "'");
  if (net::IsIpv4Literal(hp->first)) {
    return net::Ipv4NotSupported(hp->first).WithContext("--node");
  }
  api::ClientOptions o;
  o.host = hp->first;
  o.port = hp->second;
  o.ca_file = flags.cacert;
  return o;
}

base::Result<nlohmann::json> CallJson(
    const GlobalFlags& flags, std::string_view method, std::string_view target,
    std::string_view body, const std::vector<std::pair<std::string, std::string>>& headers) {
  HM_ASSIGN_OR_RETURN(auto options, ClientOptionsFor(flags));
  HM_ASSIGN_OR_RETURN(auto resp, api::HttpsRequest(options, method, target, body,
                                                   body.empty() ? "" : "application/json",
                                                   headers));
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (resp.status < 200 || resp.status > 299) {
    std::string msg = "node answered HTTP " + std::to_string(resp.status);
    if (!j.is_discarded() && j.is_object() && j.contains("message") && j["message"].is_string()) {
      msg += ": " + j["message"].get<std::string>();
    }
    return base::Status(resp.status >= 500 ? base::Code::kUnavailable : base::Code::kInvalidArgument,
                        msg);
  }
  if (j.is_discarded()) return base::Internal("node answered with malformed JSON");
  return j;
}

}  // namespace hm::cli
