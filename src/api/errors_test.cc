#include "api/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hm::api {
namespace {

using base::Code;

TEST(ErrorsTest, StatusCodeTable) {
  const std::pair<Code, int> table[] = {
      {Code::kInvalidArgument, 400},  {Code::kUnauthenticated, 401},
      {Code::kPermissionDenied, 403}, {Code::kNotFound, 404},
      {Code::kAlreadyExists, 409},    {Code::kFailedPrecondition, 409},
      {Code::kOutOfRange, 400},       {Code::kResourceExhausted, 429},
      {Code::kUnavailable, 503},      {Code::kDeadlineExceeded, 504},
      {Code::kAborted, 409},          {Code::kUnimplemented, 501},
      {Code::kInternal, 500},         {Code::kIoError, 500},
      {Code::kCorruption, 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusForCode(code), http) << base::CodeName(code);
    Response r = ErrorResponse(base::Status(code, "m"));
    EXPECT_EQ(r.status, http) << base::CodeName(code);
    EXPECT_EQ(r.content_type, "application/json");
  }
}

TEST(ErrorsTest, JsonBodyCarriesCodeAndMessage) {
  Response r = ErrorResponse(base::InvalidArgument("serial is not hex"));
  EXPECT_EQ(r.status, 400);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body, (nlohmann::json{{"code", "INVALID_ARGUMENT"}, {"message", "serial is not hex"}}));
  EXPECT_EQ(nlohmann::json::parse(ErrorResponse(base::NotFound("x")).body)["code"], "NOT_FOUND");
}

TEST(ErrorsTest, LocalFailuresShowOnlyInternal) {
  for (Code c : {Code::kIoError, Code::kCorruption, Code::kInternal}) {
    auto body = nlohmann::json::parse(ErrorResponse(base::Status(c, "disk full")).body);
    EXPECT_EQ(body["code"], "INTERNAL");
    EXPECT_EQ(body["message"].get<std::string>().find("disk full"), std::string::npos);
    EXPECT_EQ(body.size(), 2u);
  }
}

TEST(ErrorsTest, ProtocolErrors) {
  Response big = PayloadTooLarge(1024);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(nlohmann::json::parse(big.body)["code"], "PAYLOAD_TOO_LARGE");
  Response nm = MethodNotAllowed("DELETE", "GET, HEAD");
  EXPECT_EQ(nm.status, 405);
  EXPECT_EQ(nm.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(nm.body)["code"], "METHOD_NOT_ALLOWED");
  Response nf = RouteNotFound("/nope");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nlohmann::json::parse(nf.body)["code"], "NOT_FOUND");
  EXPECT_EQ(BadRequest("x").status, 400);
  Response custom = HttpError(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "too big");
  EXPECT_EQ(custom.status, 431);
}

TEST(ErrorsTest, UnsupportedMediaTypeMapsTo415) {
  base::Status s = UnsupportedMediaType("Content-Type 'text/plain' is not application/json");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_TRUE(IsUnsupportedMediaType(s));
  EXPECT_FALSE(IsUnsupportedMediaType(base::InvalidArgument("other")));
  Response r = ErrorResponse(s);
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "UNSUPPORTED_MEDIA_TYPE");
}

}  // namespace
}  // namespace hm::api
