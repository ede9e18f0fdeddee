#include "net/event_loop.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <exception>

#include "base/check.h"
#include "base/log.h"

namespace hm::net {

EventLoop::EventLoop(std::string name_prefix, int threads)
    : name_prefix_(std::move(name_prefix)),
      thread_count_(threads),
      io_(threads > 0 ? threads : 1) {}

EventLoop::~EventLoop() { Stop(); }

base::Status EventLoop::Start() {
  if (thread_count_ < 1 || thread_count_ > 256) {
    return base::InvalidArgument(fmt::format("event loop '{}': thread count {} is outside 1..256",
                                             name_prefix_, thread_count_));
  }
  if (name_prefix_.empty() || name_prefix_.size() > 11) {
    return base::InvalidArgument(
        fmt::format("event loop name prefix '{}' must be 1..11 characters", name_prefix_));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopped_) {
    return base::FailedPrecondition(
        fmt::format("event loop '{}' was already started or stopped", name_prefix_));
  }
  started_ = true;
  work_.emplace(io_.get_executor());
  threads_.reserve(thread_count_);
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { Run(i); });
  return base::Status::Ok();
}

void EventLoop::Run(int index) {
  const std::string name = fmt::format("{}-{}", name_prefix_, index);
  pthread_setname_np(pthread_self(), name.c_str());
  // A handler that throws is a bug; log it and keep serving rather than take the process down.
  while (!io_.stopped()) {
    try {
      io_.run();
    } catch (const std::exception& e) {
      HM_LOG_ERROR("net", "{}: handler threw: {}", name, e.what());
    } catch (...) {
      HM_LOG_ERROR("net", "{}: handler threw a non-standard exception", name);
    }
  }
}

void EventLoop::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    HM_CHECK_MSG(!InLoopThread(), "EventLoop::Stop called from its own thread");
    io_.stop();
    work_.reset();
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

void EventLoop::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

bool EventLoop::InLoopThread() const { return io_.get_executor().running_in_this_thread(); }

}  // namespace hm::net
