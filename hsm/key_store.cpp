#include "hsm/key_store.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

base::Result<std::shared_ptr<PrivateKey>> KeyStore::open(std::string_view ref,
                                                         std::optional<Algorithm> algorithm) {
  auto session = open_for_worker();
  if (!session) return std::move(session).error();
  // The key keeps what it needs of the session alive (see PrivateKey).
  return (*session)->open(ref, algorithm);
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

base::Result<Bytes> from_hex(std::string_view text) {
  if (text.empty() || text.size() % 2 != 0) {
    return make_error(Errc::malformed, "'" + std::string(text) + "': not an even number of hex digits");
  }
  Bytes out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return make_error(Errc::malformed, "'" + std::string(text) + "': not hex");
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

base::Result<void> check_label(std::string_view label) {
  if (label.empty() || label.size() > 255) {
    return make_error(Errc::invalid_argument, "key label must be 1 to 255 bytes");
  }
  for (char c : label) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return make_error(Errc::invalid_argument, "key label contains a control character");
    }
  }
  return base::ok();
}

}  // namespace signerd::hsm
