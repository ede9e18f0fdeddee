// A bounded map from string keys to values that forgets the least recently used entry when full.
// The caches of verified certificate chains use it (stoq::VerifiedChains,
// trustchain::ca::PeerChainCache); whether an entry is still good (expiry) is theirs to judge.
// Thread-safety: none; the owner locks.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/check.h"

namespace hm::base {

template <typename Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) { HM_CHECK(capacity > 0); }

  // The entry for `key`, now the most recently used; nullptr when absent.
  Value* Find(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return &it->second.value;
  }

  // Sets the entry for `key` (most recently used), first dropping the least recently used one
  // when the cache is full and `key` is new.
  void Put(const std::string& key, Value value) {
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second.value = std::move(value);
      order_.splice(order_.begin(), order_, it->second.position);
      return;
    }
    if (map_.size() >= capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(key);
    map_.emplace(key, Slot{std::move(value), order_.begin()});
  }

  void Erase(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    order_.erase(it->second.position);
    map_.erase(it);
  }

  size_t size() const { return map_.size(); }

 private:
  struct Slot {
    Value value;
    std::list<std::string>::iterator position;
  };
  const size_t capacity_;
  std::unordered_map<std::string, Slot> map_;
  std::list<std::string> order_;  // most recently used first
};

}  // namespace hm::base
