// ASCII case folding for protocol text (HTTP header names, DNS names, mnemonics): only 'A'..'Z'
// change, whatever the locale. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hm::base {

constexpr char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline void AsciiLowerInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
}

inline std::string AsciiLowercase(std::string_view in) {
  std::string out(in);
  AsciiLowerInPlace(out);
  return out;
}

constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace hm::base
