// PEM text for DER objects (RFC 7468): certificates, CRLs, keys. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"

namespace hm::crypto {

// Wraps DER in a PEM block with `label` ("CERTIFICATE", "X509 CRL", "PRIVATE KEY", ...). The
// intermediate buffer is OpenSSL secure memory, so private keys are wiped.
std::string DerToPem(base::ByteSpan der, std::string_view label);

}  // namespace hm::crypto
