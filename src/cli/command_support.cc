#include "cli/command_support.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/bytes.h"
#include "crypto/key_file.h"

namespace hm::cli {

base::Status Usage(std::string message) { return base::InvalidArgument(std::move(message)); }

base::Status Failed(std::string_view context, const base::Status& s) {
  return base::Aborted(fmt::format("{}: {}", context, s.message()));
}

std::string OneLine(std::string_view text) {
  std::string s(text);
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return s;
}

void Report(const char* command, const base::Status& s, int& exit_code) {
  if (s.ok()) {
    exit_code = 0;
    return;
  }
  exit_code = s.code() == base::Code::kInvalidArgument ? 2 : 1;
  std::fprintf(stderr, "hm %s: %s\n", command, OneLine(s.message()).c_str());
}

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

base::Result<std::string> ReadAdminToken(const std::string& path) {
  auto file = crypto::ReadSecretFile(path);
  if (!file.ok()) {
    return Usage(fmt::format("cannot read --admin-token-file: {}", file.status().message()));
  }
  std::string token(base::AsString(*file));
  OPENSSL_cleanse(file->data(), file->size());
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!token.empty() && is_space(static_cast<unsigned char>(token.back()))) token.pop_back();
  const auto first = std::find_if_not(token.begin(), token.end(), is_space);
  token.erase(token.begin(), first);
  if (token.empty()) return Usage(fmt::format("admin token file {} is empty", path));
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Usage(fmt::format("admin token file {} holds more than one line", path));
  }
  return token;
}

}  // namespace hm::cli
