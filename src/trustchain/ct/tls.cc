#include "trustchain/ct/tls.h"

#include <fmt/format.h>

#include "base/check.h"

namespace hm::trustchain::ct {

void TlsWriter::Opaque(base::ByteSpan b, int len_bytes) {
  HM_CHECK(len_bytes >= 1 && len_bytes <= 3);
  HM_CHECK(b.size() < (size_t{1} << (8 * len_bytes)));
  Uint(b.size(), len_bytes);
  Fixed(b);
}

base::Result<uint64_t> TlsReader::Uint(int n, std::string_view what) {
  if (remaining() < static_cast<size_t>(n)) {
    return base::InvalidArgument(fmt::format("truncated {}", what));
  }
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | in_[pos_++];
  return v;
}

base::Result<base::ByteSpan> TlsReader::Fixed(size_t n, std::string_view what) {
  if (remaining() < n) return base::InvalidArgument(fmt::format("truncated {}", what));
  auto out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

base::Result<base::ByteSpan> TlsReader::Opaque(int len_bytes, size_t min_len,
                                               std::string_view what) {
  HM_ASSIGN_OR_RETURN(uint64_t len, Uint(len_bytes, what));
  if (len < min_len) return base::InvalidArgument(fmt::format("{} is too short", what));
  return Fixed(len, what);
}

base::Status TlsReader::Finish(std::string_view what) const {
  if (remaining() != 0) return base::InvalidArgument(fmt::format("trailing bytes after {}", what));
  return base::Status::Ok();
}

}  // namespace hm::trustchain::ct
