// Owning handle for an OpenSSL EVP_PKEY, shared by the key classes of hm_crypto.
// Thread-safety: an EVP_PKEY that is no longer modified may be read from many threads.
#pragma once

#include <openssl/types.h>

#include <memory>

namespace hm::crypto {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* pkey) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// A second owner of the same key (EVP_PKEY_up_ref); null in, null out.
EvpPkeyPtr ShareEvpPkey(EVP_PKEY* pkey);

}  // namespace hm::crypto
