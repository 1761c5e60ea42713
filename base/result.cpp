#include "base/result.hpp"

namespace signerd::base {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid argument";
    case Errc::malformed: return "malformed";
    case Errc::out_of_range: return "out of range";
    case Errc::not_found: return "not found";
    case Errc::conflict: return "conflict";
    case Errc::unsupported: return "unsupported";
    case Errc::io: return "I/O error";
    case Errc::internal: return "internal error";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  std::string out = errc_name(code);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace signerd::base
