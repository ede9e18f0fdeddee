#include "base/lru_cache.h"

#include <gtest/gtest.h>

namespace hm::base {
namespace {

TEST(LruCacheTest, FindsWhatWasPut) {
  LruCache<int> c(2);
  EXPECT_EQ(c.Find("a"), nullptr);
  c.Put("a", 1);
  ASSERT_NE(c.Find("a"), nullptr);
  EXPECT_EQ(*c.Find("a"), 1);
  c.Put("a", 2);  // replaces, does not grow
  EXPECT_EQ(*c.Find("a"), 2);
  EXPECT_EQ(c.size(), 1u);
}

TEST(LruCacheTest, DropsTheLeastRecentlyUsedWhenFull) {
  LruCache<int> c(2);
  c.Put("a", 1);
  c.Put("b", 2);
  ASSERT_NE(c.Find("a"), nullptr);  // "b" is now the least recently used
  c.Put("c", 3);
  EXPECT_NE(c.Find("a"), nullptr);
  EXPECT_EQ(c.Find("b"), nullptr);
  EXPECT_NE(c.Find("c"), nullptr);
  EXPECT_EQ(c.size(), 2u);
}

TEST(LruCacheTest, EraseForgets) {
  LruCache<int> c(2);
  c.Put("a", 1);
  c.Erase("a");
  c.Erase("missing");
  EXPECT_EQ(c.Find("a"), nullptr);
  EXPECT_EQ(c.size(), 0u);
  c.Put("b", 2);
  c.Put("c", 3);
  EXPECT_EQ(c.size(), 2u);
}

}  // namespace
}  // namespace hm::base
