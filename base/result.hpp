// base/result.hpp — errors as values at module boundaries.
//
// Owns: Errc, Error, Result<T> (a small std::expected-like shim: g++ 12 has
// std::expected only in C++23). Does not own: logging or exceptions.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace signerd::base {

// Broad error classes; the operator-readable detail says the rest.
enum class Errc {
  invalid_argument,  // caller passed something unusable
  malformed,         // input (wire, text, file) violates its format
  out_of_range,      // a size or count limit was exceeded
  not_found,
  conflict,  // e.g. a diff that does not apply to its base
  unsupported,
  io,  // file or socket failure
  internal,
};

const char* errc_name(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string detail;

  // "malformed: zone.db:12: bad TTL"
  std::string to_string() const;
};

inline Error make_error(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

// Holds a T or an Error. Accessing the wrong alternative is a programmer error
// (asserted), never an input error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error)
      : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return !failed_; }
  const Error& error() const& {
    assert(failed_);
    return error_;
  }
  Error&& error() && {
    assert(failed_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

inline Result<void> ok() { return {}; }

}  // namespace signerd::base

// Propagate an error from an expression returning Result<...>.
#define SIGNERD_TRY(expr)                                                    \
  do {                                                                       \
    auto signerd_try_result_ = (expr);                                       \
    if (!signerd_try_result_) return std::move(signerd_try_result_).error(); \
  } while (0)
