#include "api/http.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hm::api {
namespace {

TEST(ParseRequestTargetTest, SplitsPathAndDecodesQuery) {
  Request r;
  ASSERT_TRUE(ParseRequestTarget("/ct/v1/get-entries?start=0&end=9&q=a%20b+c&flag", &r).ok());
  EXPECT_EQ(r.path, "/ct/v1/get-entries");
  EXPECT_EQ(r.query.size(), 4u);
  EXPECT_EQ(r.query["start"], "0");
  EXPECT_EQ(r.query["end"], "9");
  EXPECT_EQ(r.query["q"], "a b c");
  EXPECT_EQ(r.query["flag"], "");
  EXPECT_EQ(r.Query("end").value_or(""), "9");
  EXPECT_FALSE(r.Query("missing").has_value());
}

TEST(ParseRequestTargetTest, KeepsPathEncodedAndLastQueryWins) {
  Request r;
  ASSERT_TRUE(ParseRequestTarget("/a%2Fb?x=1&x=2&&", &r).ok());
  EXPECT_EQ(r.path, "/a%2Fb");
  EXPECT_EQ(r.query["x"], "2");
}

TEST(ParseRequestTargetTest, Rejects) {
  Request r;
  for (const char* t :
       {"", "*", "http://x/", "/a b", "/a\x01", "/a#frag", "/%zz", "/a?x=%4", "/a?%=1", "/\x7f"}) {
    auto s = ParseRequestTarget(t, &r);
    EXPECT_FALSE(s.ok()) << t;
    EXPECT_EQ(s.code(), base::Code::kInvalidArgument) << t;
  }
}

TEST(PercentDecodeTest, Vectors) {
  EXPECT_EQ(*PercentDecode("%41%62c", false), "Abc");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%00", false), std::string(1, '\0'));
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%a", false).ok());
  EXPECT_FALSE(PercentDecode("%g0", false).ok());
}

TEST(RequestTest, HeadersAreCaseInsensitive) {
  Request r;
  r.headers.emplace("Content-Type", "application/json");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "application/json");
  EXPECT_TRUE(r.HasHeader("cOnTeNt-TyPe"));
  EXPECT_EQ(r.Header("Accept"), "");
  EXPECT_FALSE(r.headers.emplace("content-type", "x").second);
}

TEST(ResponseTest, JsonAndText) {
  Response j = Response::Json(201, nlohmann::json{{"a", 1}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, R"({"a":1})");
  Response t = Response::Text(200, "hi");
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  t.AddHeader("X-Test", "1");
  EXPECT_EQ(t.Header("x-test"), "1");
}

TEST(ResponseTest, JsonWithInvalidUtf8DoesNotThrow) {
  Response j = Response::Json(200, nlohmann::json{{"bad", std::string("\xff\xfe")}});
  EXPECT_EQ(j.status, 200);
  EXPECT_NE(j.body.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace hm::api
