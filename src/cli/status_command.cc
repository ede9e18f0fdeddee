#include "cli/status_command.h"

#include <cstdio>

#include "cli/command_support.h"

namespace hm::cli {

namespace {

std::string FormatUptime(int64_t s) {
  char buf[64];
  if (s >= 86400) {
    std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

}  // namespace

void AddStatusCommand(CLI::App& app, GlobalFlags& flags, int& exit_code) {
  auto* cmd = app.add_subcommand("status", "show a node's identity, chain height and uptime");
  cmd->callback([&flags, &exit_code] {
    auto j = CallJson(flags, "GET", "/api/v1/status");
    if (!j.ok()) {
      std::fprintf(stderr, "hm status: %s\n", std::string(j.status().message()).c_str());
      exit_code = 1;
      return;
    }
    if (flags.json) {
      std::printf("%s\n", j->dump(2).c_str());
      return;
    }
    const int64_t uptime = (*j)["uptime_seconds"].is_number_integer()
                               ? (*j)["uptime_seconds"].get<int64_t>()
                               : 0;
    std::printf("node        %s\n", flags.node.c_str());
    std::printf("node id     %s\n", Str(*j, "node_id").c_str());
    std::printf("version     %s%s\n", Str(*j, "version").c_str(),
                (*j).value("dev", false) ? " (dev)" : "");
    std::printf("chain       %s\n", Str(*j, "chain_id").c_str());
    std::printf("height      %s\n", Str(*j, "chain_height").c_str());
    std::printf("head        %s\n", Str(*j, "head_hash").c_str());
    std::printf("uptime      %s\n", FormatUptime(uptime).c_str());
  });
}

}  // namespace hm::cli
