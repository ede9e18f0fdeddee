#include "api/http.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

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

// A source that hands out at most `piece` bytes of `text` per read, from the asked offset.
BodySource PiecewiseSource(std::shared_ptr<const std::string> text, size_t piece) {
  return BodySource{text->size(), [text, piece](uint64_t offset) {
                      const size_t start = static_cast<size_t>(offset);
                      return std::span<const uint8_t>(
                          reinterpret_cast<const uint8_t*>(text->data()) + start,
                          std::min(piece, text->size() - start));
                    }};
}

TEST(BodyCursorTest, ReadsHeldAndSourcedBodiesInOrder) {
  auto text = std::make_shared<const std::string>("the quick brown fox jumps over the lazy dog");
  Response sourced;
  sourced.body = "ignored when a source is set";
  sourced.source = PiecewiseSource(text, 5);
  EXPECT_EQ(sourced.BodySize(), text->size());
  BodyCursor cursor(sourced);
  EXPECT_FALSE(sourced.source.has_value());  // taken
  EXPECT_EQ(cursor.size(), text->size());
  std::string got;
  while (!cursor.done()) {
    const auto piece = cursor.Next(3);  // the cursor's limit below the source's
    ASSERT_FALSE(piece.empty());
    EXPECT_LE(piece.size(), 3u);
    got.append(reinterpret_cast<const char*>(piece.data()), piece.size());
  }
  EXPECT_EQ(got, *text);
  EXPECT_TRUE(cursor.Next().empty());

  Response held = Response::Text(200, "held body");
  BodyCursor h(held);
  const auto all = h.Next();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(all.data()), all.size()), "held body");
  EXPECT_TRUE(h.done());
  EXPECT_TRUE(BodyCursor().done());
}

TEST(ResponseTest, TakeBodyReadsASourceOut) {
  auto text = std::make_shared<const std::string>(std::string(100000, 'a') + "end");
  Response r;
  r.source = PiecewiseSource(text, 4096);
  EXPECT_EQ(r.TakeBody(), *text);
  EXPECT_EQ(r.BodySize(), 0u);
  Response plain = Response::Text(200, "plain");
  EXPECT_EQ(plain.TakeBody(), "plain");
  EXPECT_EQ(plain.BodySize(), 0u);
}

}  // namespace
}  // namespace hm::api
