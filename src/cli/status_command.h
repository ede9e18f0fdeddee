// `hm status`: what a node is, how far its chain is, how long it has run.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/node_client.h"

namespace hm::cli {

void AddStatusCommand(CLI::App& app, GlobalFlags& flags, int& exit_code);

}  // namespace hm::cli
