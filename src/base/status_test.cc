#include "base/status.h"

#include <gtest/gtest.h>

namespace hm::base {
namespace {

Result<int> Half(int v) {
  if (v % 2) return InvalidArgument("odd");
  return v / 2;
}

Status UseTry(int v, int* out) {
  HM_ASSIGN_OR_RETURN(*out, Half(v));
  HM_TRY(v > 100 ? OutOfRange("big") : Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("no such block");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no such block");
  EXPECT_EQ(s.WithContext("store").message(), "store: no such block");
}

TEST(StatusTest, ResultHoldsValueOrStatus) {
  auto r = Half(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  auto e = Half(3);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kInvalidArgument);
}

TEST(StatusTest, ResultFromOkStatusIsInternalError) {
  Result<int> r{Status::Ok()};
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(StatusTest, Macros) {
  int out = 0;
  EXPECT_TRUE(UseTry(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseTry(7, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(UseTry(200, &out).code(), Code::kOutOfRange);
}

}  // namespace
}  // namespace hm::base
