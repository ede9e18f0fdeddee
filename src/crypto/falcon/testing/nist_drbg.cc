#include "crypto/falcon/testing/nist_drbg.h"

#include <openssl/evp.h>

#include <cstring>

#include "base/check.h"

namespace hm::crypto::falcon::testing {

NistDrbg::NistDrbg(std::span<const uint8_t, 48> seed) { Update(seed.data()); }

void NistDrbg::IncrementV() {
  for (int j = 15; j >= 0; --j) {
    if (v_[j] == 0xFF) {
      v_[j] = 0;
    } else {
      ++v_[j];
      break;
    }
  }
}

void NistDrbg::Encrypt(const uint8_t in[16], uint8_t out[16]) const {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  HM_CHECK(ctx != nullptr);
  int len = 0;
  HM_CHECK(EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, key_.data(), nullptr) == 1);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  HM_CHECK(EVP_EncryptUpdate(ctx, out, &len, in, 16) == 1 && len == 16);
  EVP_CIPHER_CTX_free(ctx);
}

void NistDrbg::Update(const uint8_t* provided) {
  uint8_t temp[48];
  for (int i = 0; i < 3; ++i) {
    IncrementV();
    Encrypt(v_.data(), temp + 16 * i);
  }
  if (provided != nullptr) {
    for (int i = 0; i < 48; ++i) temp[i] ^= provided[i];
  }
  std::memcpy(key_.data(), temp, 32);
  std::memcpy(v_.data(), temp + 32, 16);
}

void NistDrbg::Fill(std::span<uint8_t> out) {
  size_t pos = 0;
  while (pos < out.size()) {
    uint8_t block[16];
    IncrementV();
    Encrypt(v_.data(), block);
    const size_t take = out.size() - pos < 16 ? out.size() - pos : 16;
    std::memcpy(out.data() + pos, block, take);
    pos += take;
  }
  Update(nullptr);
}

}  // namespace hm::crypto::falcon::testing
