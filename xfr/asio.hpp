// xfr/asio.hpp — the one way signerd includes Boost.Asio.
//
// Boost 1.74's awaitable.hpp uses std::exchange without including
// <utility>, which g++ 12 with C++20 does not pull in on its own; and the
// compile definitions for clang's coroutines live in the top CMakeLists.
#pragma once

// <utility> first, whatever include sorting says.
// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on

namespace signerd::xfr {
namespace asio = boost::asio;
}  // namespace signerd::xfr
