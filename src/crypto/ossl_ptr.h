// Owning handles for OpenSSL objects: OsslPtr<X509, X509_free> frees with the given function.
// One definition shared by every layer that holds OpenSSL objects.
// Thread-safety: as std::unique_ptr.
#pragma once

#include <memory>

namespace hm::crypto {

template <auto kFree>
struct OsslFree {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

template <typename T, auto kFree>
using OsslPtr = std::unique_ptr<T, OsslFree<kFree>>;

}  // namespace hm::crypto
