// hm: the HyperMesh command-line client.
// Exit codes: 0 success; 1 the operation failed (node unreachable, rejected, invalid result);
// 2 usage error; `hm get` also uses 3 for a failed fetch (see cli/get_command.h).
#include <CLI/CLI.hpp>

#include "cli/cert_commands.h"
#include "cli/cert_verify.h"
#include "cli/dns_commands.h"
#include "cli/get_command.h"
#include "cli/key_commands.h"
#include "cli/node_client.h"
#include "cli/status_command.h"
#include "cli/stoq_commands.h"

int main(int argc, char** argv) {
  hm::cli::GlobalFlags flags;
  int exit_code = 0;
  CLI::App app{"hm: the HyperMesh command-line client"};
  app.require_subcommand(1);
  app.add_option("--node", flags.node, "node address, e.g. [::1]:8443 (default $HM_NODE or [::1]:8443)");
  app.add_option("--cacert", flags.cacert,
                 "CA certificate PEM to trust (default $HM_CACERT, else the TrustChain root "
                 "./hm-data/tls/root.pem)");
  app.add_flag("--json", flags.json, "print machine-readable JSON");
  app.parse_complete_callback([&flags] { hm::cli::ApplyDefaults(flags); });
  hm::cli::AddStatusCommand(app, flags, exit_code);
  hm::cli::AddKeyCommands(app, exit_code);
  hm::cli::AddCertCommands(app, flags, exit_code);
  hm::cli::AddCertVerifyCommand(*app.get_subcommand("cert"), exit_code);
  hm::cli::AddDnsCommands(app, flags, exit_code);
  hm::cli::AddGetCommand(app, flags, exit_code);
  hm::cli::AddStoqCommands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
