// EventLoop: one boost::asio::io_context run by a fixed set of named threads ("hm-io-0", ...).
// Network objects are created against io_context(); their handlers run on these threads.
// Thread-safety: Start/Stop/Post may be called from any thread; Stop must not be called from one
// of the loop's own threads (it joins them).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace hm::net {

class EventLoop {
 public:
  // `name_prefix` must be at most 11 characters so "<prefix>-<n>" fits the 15-byte thread name.
  explicit EventLoop(std::string name_prefix = "hm-io", int threads = 1);
  ~EventLoop();  // Stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Spawns the threads. Errors: kInvalidArgument (bad prefix or thread count),
  // kFailedPrecondition (already started, or started and stopped: a loop runs once).
  base::Status Start();
  // Stops the io_context and joins the threads; pending handlers are dropped. Idempotent.
  void Stop();

  boost::asio::io_context& io_context() { return io_; }
  // Runs `fn` on one of the loop's threads.
  void Post(std::function<void()> fn);
  // True when called from a handler running on this loop.
  bool InLoopThread() const;
  int thread_count() const { return thread_count_; }

 private:
  void Run(int index);

  const std::string name_prefix_;
  const int thread_count_;
  mutable boost::asio::io_context io_;  // mutable: get_executor() is non-const
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::mutex mu_;  // guards started_, stopped_, threads_
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hm::net
