#include "api/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "api/errors.h"

namespace hm::api {
namespace {

Handler Named(std::string name) {
  return [name](const Request& r) {
    nlohmann::json j{{"handler", name}};
    for (const auto& [k, v] : r.path_params) j["params"][k] = v;
    return Response::Json(200, j);
  };
}

Request Make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  EXPECT_TRUE(ParseRequestTarget(target, &r).ok()) << target;
  return r;
}

nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.body); }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/healthz", Named("health")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/certificates/{serial}", Named("get-cert")).ok());
    ASSERT_TRUE(router_.Add("DELETE", "/api/v1/certificates/{serial}", Named("del-cert")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/certificates/latest", Named("latest")).ok());
    ASSERT_TRUE(router_
                    .Add("POST", "/api/v1/certificates", Named("issue"),
                         RouteOptions{.max_body_bytes = 4096})
                    .ok());
    ASSERT_TRUE(router_.Add("GET", "/ct/v1/get-sth", Named("sth")).ok());
    ASSERT_TRUE(router_.Add("GET", "/a/{x}/b/{y}", Named("two")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, LiteralAndParams) {
  Request r = Make("GET", "/api/v1/certificates/0a1b");
  Response res = router_.Dispatch(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(Body(res)["handler"], "get-cert");
  EXPECT_EQ(Body(res)["params"]["serial"], "0a1b");
  EXPECT_EQ(r.path_params.at("serial"), "0a1b");

  Request two = Make("GET", "/a/1%202/b/x%2Fy");
  Response r2 = router_.Dispatch(two);
  EXPECT_EQ(Body(r2)["params"]["x"], "1 2");
  EXPECT_EQ(Body(r2)["params"]["y"], "x/y");
  Request sth = Make("GET", "/ct/v1/get-sth");
  EXPECT_EQ(Body(router_.Dispatch(sth))["handler"], "sth");
}

TEST_F(RouterTest, LiteralBeatsParamButParamKeepsOtherMethods) {
  Request latest = Make("GET", "/api/v1/certificates/latest");
  EXPECT_EQ(Body(router_.Dispatch(latest))["handler"], "latest");
  // DELETE has no literal route, so the parameter route serves it.
  Request del = Make("DELETE", "/api/v1/certificates/latest");
  EXPECT_EQ(Body(router_.Dispatch(del))["handler"], "del-cert");
  auto m = router_.Match("GET", "/api/v1/certificates/latest");
  EXPECT_EQ(m.label, "/api/v1/certificates/latest");
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  for (const char* t : {"/nope", "/healthz/", "/api/v1/certificates/", "//healthz", "/"}) {
    Request r = Make("GET", t);
    Response res = router_.Dispatch(r);
    EXPECT_EQ(res.status, 404) << t;
    EXPECT_EQ(Body(res)["code"], "NOT_FOUND") << t;
    EXPECT_EQ(router_.Match("GET", t).label, kUnmatchedRoute) << t;
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Request r = Make("POST", "/healthz");
  Response res = router_.Dispatch(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(Body(res)["code"], "METHOD_NOT_ALLOWED");

  Request put = Make("PUT", "/api/v1/certificates/77");
  Response res2 = router_.Dispatch(put);
  EXPECT_EQ(res2.status, 405);
  EXPECT_EQ(res2.Header("Allow"), "DELETE, GET, HEAD");
  auto m = router_.Match("PUT", "/api/v1/certificates/77");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.label, "/api/v1/certificates/{serial}");
}

TEST_F(RouterTest, HeadUsesGetRoute) {
  Request r = Make("HEAD", "/healthz");
  Response res = router_.Dispatch(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(Body(res)["handler"], "health");  // the front end strips the body
}

TEST_F(RouterTest, MatchReportsOptionsAndLabel) {
  auto m = router_.Match("POST", "/api/v1/certificates");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.options.max_body_bytes, 4096u);
  EXPECT_EQ(m.label, "/api/v1/certificates");
  EXPECT_NE(m.endpoint, nullptr);
  EXPECT_EQ(router_.size(), 7u);
}

TEST(RouterAddTest, RejectsBadPatternsAndDuplicates) {
  Router router;
  auto h = [](const Request&) { return Response::Text(200, ""); };
  EXPECT_EQ(router.Add("GET", "nope", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{}", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{x}/{x}", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a//b", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/b{x}", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("G T", "/a", h).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a", Handler()).code(), base::Code::kInvalidArgument);
  ASSERT_TRUE(router.Add("GET", "/a/{x}", h).ok());
  EXPECT_EQ(router.Add("GET", "/a/{y}", h).code(), base::Code::kAlreadyExists);
  EXPECT_TRUE(router.Add("POST", "/a/{y}", h).ok());
  EXPECT_TRUE(router.Add("GET", "/", h).ok());
  Request root;
  root.method = "GET";
  root.path = "/";
  EXPECT_EQ(router.Dispatch(root).status, 200);
}

TEST(RouterDispatchTest, ThrowingHandlerGives500) {
  Router router;
  ASSERT_TRUE(
      router
          .Add("GET", "/boom",
               [](const Request&) -> Response { throw std::runtime_error("secret detail"); })
          .ok());
  Request r;
  r.method = "GET";
  r.path = "/boom";
  Response res = router.Dispatch(r);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("secret"), std::string::npos);
}

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/x";
  if (!content_type.empty()) r.headers.emplace("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

TEST(ParseJsonBodyTest, AcceptsObjects) {
  auto j = ParseJsonBody(JsonRequest(R"({"a":[1,2]})"));
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][1], 2);
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "Application/JSON; charset=utf-8")).ok());
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{}", "")).ok());  // absent Content-Type is fine
}

TEST(ParseJsonBodyTest, RejectsMalformedWithParserMessage) {
  auto j = ParseJsonBody(JsonRequest(R"({"a":)"));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(j.status().message().find("malformed JSON body: parse error"), std::string_view::npos)
      << j.status().message();
  EXPECT_EQ(ErrorResponse(j.status()).status, 400);
}

TEST(ParseJsonBodyTest, RejectsNonObjectEmptyAndDeep) {
  auto arr = ParseJsonBody(JsonRequest("[1]"));
  ASSERT_FALSE(arr.ok());
  EXPECT_NE(arr.status().message().find("not array"), std::string_view::npos);
  EXPECT_FALSE(ParseJsonBody(JsonRequest("\"s\"")).ok());
  EXPECT_FALSE(ParseJsonBody(JsonRequest("")).ok());
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  auto d = ParseJsonBody(JsonRequest(deep));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nested"), std::string_view::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJsonBody(JsonRequest("{\"a\":\"" + std::string(100, '[') + "\\\"\"}")).ok());
}

TEST(ParseJsonBodyTest, WrongContentTypeIs415) {
  auto j = ParseJsonBody(JsonRequest("{}", "text/plain"));
  ASSERT_FALSE(j.ok());
  EXPECT_TRUE(IsUnsupportedMediaType(j.status()));
  EXPECT_EQ(ErrorResponse(j.status()).status, 415);
}

}  // namespace
}  // namespace hm::api

namespace hm::api {
namespace {

TEST(RouterAsyncTest, AsyncHandlerAnswersLaterFromAnotherThread) {
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("POST", "/later/{id}",
                            [](const Request& req, Responder respond) {
                              std::string id(req.PathParam("id"));
                              std::thread([id, respond = std::move(respond)] {
                                respond(Response::Json(200, {{"id", id}}));
                              }).detach();
                            })
                  .ok());
  Request req;
  req.method = "POST";
  req.path = "/later/42";
  Response r = router.Dispatch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["id"], "42");
}

TEST(RouterAsyncTest, ResponderRunsOnceEvenIfCalledTwiceOrAfterAThrow) {
  Router router;
  ASSERT_TRUE(router
                  .AddAsync("GET", "/twice",
                            [](const Request&, Responder respond) {
                              respond(Response::Text(200, "first"));
                              respond(Response::Text(500, "second"));
                            })
                  .ok());
  ASSERT_TRUE(router
                  .AddAsync("GET", "/throws",
                            [](const Request&, Responder) -> void {
                              throw std::runtime_error("boom");
                            })
                  .ok());
  int calls = 0;
  Request req;
  req.method = "GET";
  req.path = "/twice";
  router.DispatchAsync(req, router.Match("GET", "/twice"), [&](Response r) {
    ++calls;
    EXPECT_EQ(r.body, "first");
  });
  EXPECT_EQ(calls, 1);
  req.path = "/throws";
  EXPECT_EQ(router.Dispatch(req).status, 500);
}

}  // namespace
}  // namespace hm::api
