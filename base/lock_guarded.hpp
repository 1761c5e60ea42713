// base/lock_guarded.hpp — shared mutable state reachable only under its lock.
#pragma once

#include <mutex>
#include <utility>

namespace signerd::base {

// Thread-safe: every access goes through with_lock(), which holds the mutex
// for the duration of the callable.
template <class T>
class LockGuarded {
 public:
  template <class... Args>
  explicit LockGuarded(Args&&... args) : value_(std::forward<Args>(args)...) {}

  template <class F>
  decltype(auto) with_lock(F&& f) {
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(value_);
  }
  template <class F>
  decltype(auto) with_lock(F&& f) const {
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(value_);
  }

 private:
  mutable std::mutex mutex_;
  T value_;
};

}  // namespace signerd::base
