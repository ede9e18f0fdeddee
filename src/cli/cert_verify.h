// `hm cert verify CERT --chain CHAIN`: checks a certificate chain offline, both the classical
// ECDSA signatures and the Falcon-1024 alternative signatures (ITU-T X.509 2.5.29.72-74,
// docs/spec/certificates.md), which stock tools ignore. Thread-safety: single-threaded CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "trustchain/ca/peer_chain.h"

namespace hm::cli {

// Adds `verify` under the `cert` subcommand.
void AddCertVerifyCommand(CLI::App& cert, int& exit_code);

// One link's ECDSA and Falcon-1024 results (trustchain/ca/peer_chain.h).
using LinkReport = trustchain::ca::LinkCheck;

// Verifies certs[i] under certs[i+1]; the last one must be self-signed and is checked under
// itself. `certs` are DER, leaf first. InvalidArgument for an unparseable certificate.
base::Result<std::vector<LinkReport>> VerifyChain(const std::vector<base::Bytes>& certs);

// Every CERTIFICATE block in `pem`, as DER, in order. InvalidArgument if there is none.
using trustchain::ca::ReadPemCertificates;

}  // namespace hm::cli
