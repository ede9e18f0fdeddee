#include "node/options.h"

#include <fmt/format.h>

#include "net/address.h"

namespace hm::node {

NodeOptions NodeOptions::Dev() {
  NodeOptions o;
  o.dev = true;
  o.data_dir = "hm-data";
  o.api.listen = "::1";
  return o;
}

base::Status NodeOptions::Validate() const {
  if (data_dir.empty()) return base::InvalidArgument("node.data_dir: must not be empty");
  if (genesis_file.empty()) return base::InvalidArgument("genesis.file: must not be empty");
  if (auto ep = net::ParseListenAddress(api.listen, api.port); !ep.ok()) {
    return ep.status().WithContext("api.listen");
  }
  if (api.max_body_bytes < 1024 || api.max_body_bytes > (64u << 20)) {
    return base::InvalidArgument("api.max_body_bytes: must be between 1024 and 67108864");
  }
  if (api.io_threads < 1 || api.io_threads > 64) {
    return base::InvalidArgument("api.io_threads: must be between 1 and 64");
  }
  if (api.handler_threads < 1 || api.handler_threads > 256) {
    return base::InvalidArgument("api.handler_threads: must be between 1 and 256");
  }
  if (api.max_connections < 1) {
    return base::InvalidArgument("api.max_connections: must be at least 1");
  }
  if (api.request_timeout.count() < 1 || api.request_timeout.count() > 3600) {
    return base::InvalidArgument("api.request_timeout_s: must be between 1 and 3600");
  }
  return sequencer.Validate();
}

}  // namespace hm::node
