// add-chain / add-pre-chain certificate-chain validation: input = [flags byte] then certificates,
// each prefixed by a 2-byte big-endian length. The first certificate of the input (when it parses)
// also serves as the accepted root, so valid chains reach the entry-building code.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "trustchain/ct/routes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool precert = data[0] & 1;
  std::vector<hm::base::Bytes> certs;
  size_t pos = 1;
  while (pos + 2 <= size && certs.size() < 12) {
    const size_t len = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos) break;
    certs.emplace_back(data + pos, data + pos + len);
    pos += len;
  }
  if (certs.empty()) return 0;
  std::vector<hm::base::Bytes> roots = {certs.back()};
  auto entry = hm::trustchain::ct::EntryFromChain(certs, precert, roots, 10);
  (void)entry;
  return 0;
}
