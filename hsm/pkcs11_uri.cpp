#include "hsm/pkcs11_uri.hpp"

#include <algorithm>
#include <array>

namespace signerd::hsm {

using base::Errc;
using base::make_error;

namespace {

constexpr std::string_view kScheme = "pkcs11:";

// Path attributes of RFC 7512 section 2.3 that select a token or library.
constexpr std::array<std::string_view, 8> kIgnored = {"manufacturer",
                                                      "serial",
                                                      "model",
                                                      "slot-description",
                                                      "slot-manufacturer",
                                                      "slot-id",
                                                      "library-manufacturer",
                                                      "library-description"};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

base::Result<std::string> percent_decode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return make_error(Errc::malformed, "PKCS#11 URI: truncated %-escape");
    int hi = hex_digit(in[i + 1]);
    int lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return make_error(Errc::malformed, "PKCS#11 URI: bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

void percent_encode(std::string& out, std::string_view in, bool everything) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
                 c == '.' || c == '_' || c == '~';
    if (plain && !everything) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
}

base::Result<void> set_once(std::optional<std::string>& slot, std::string_view attr, std::string value) {
  if (slot)
    return make_error(Errc::malformed, "PKCS#11 URI: duplicate attribute '" + std::string(attr) + "'");
  slot = std::move(value);
  return base::ok();
}

}  // namespace

base::Result<Pkcs11Uri> Pkcs11Uri::parse(std::string_view text) {
  if (text.substr(0, kScheme.size()) != kScheme) {
    return make_error(Errc::malformed, "'" + std::string(text) + "' is not a pkcs11: URI");
  }
  std::string_view path = text.substr(kScheme.size());
  path = path.substr(0, path.find('?'));  // the query (pin-source, module-path) is not ours to use
  Pkcs11Uri uri;
  std::optional<std::string> raw_id;
  while (!path.empty()) {
    size_t end = path.find(';');
    std::string_view attr = path.substr(0, end);
    path = end == std::string_view::npos ? std::string_view() : path.substr(end + 1);
    size_t eq = attr.find('=');
    if (eq == std::string_view::npos)
      return make_error(Errc::malformed, "PKCS#11 URI: attribute without '='");
    std::string_view key = attr.substr(0, eq);
    auto value = percent_decode(attr.substr(eq + 1));
    if (!value) return std::move(value).error();
    if (key == "token") {
      SIGNERD_TRY(set_once(uri.token, key, std::move(*value)));
    } else if (key == "id") {
      SIGNERD_TRY(set_once(raw_id, key, std::move(*value)));
    } else if (key == "object") {
      SIGNERD_TRY(set_once(uri.object, key, std::move(*value)));
    } else if (key == "type") {
      SIGNERD_TRY(set_once(uri.type, key, std::move(*value)));
    } else if (std::find(kIgnored.begin(), kIgnored.end(), key) == kIgnored.end() && !key.starts_with("x-")) {
      return make_error(Errc::unsupported, "PKCS#11 URI: unknown attribute '" + std::string(key) + "'");
    }
  }
  if (raw_id) uri.id = Bytes(raw_id->begin(), raw_id->end());
  return uri;
}

std::string Pkcs11Uri::to_string() const {
  std::string out(kScheme);
  auto add = [&out](std::string_view key, std::string_view value, bool everything) {
    if (out.size() > kScheme.size()) out += ';';
    out += key;
    out += '=';
    percent_encode(out, value, everything);
  };
  if (token) add("token", *token, false);
  if (id) add("id", std::string_view(reinterpret_cast<const char*>(id->data()), id->size()), true);
  if (object) add("object", *object, false);
  if (type) add("type", *type, false);
  return out;
}

}  // namespace signerd::hsm
