// base/clock.hpp — time as an injected dependency.
//
// Owns: Clock, SystemClock, FakeClock. Pure cores take a TimePoint argument;
// only signerd/ constructs a SystemClock.
#pragma once

#include <chrono>
#include <cstdint>

namespace signerd::base {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock the test moves by hand. Not thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  TimePoint now_;
};

}  // namespace signerd::base
