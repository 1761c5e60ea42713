// RFC 9460 section 2.1 / appendix A: SvcParams in presentation format.
#include <string_view>

#include "dns/rdata_text_special.hpp"
#include "dns/wire.hpp"

namespace signerd::dns::text_detail {
namespace {

// RFC 9460 section 14.3.2 and RFC 9461 section 5 (dohpath): the keys that
// BIND 9.18 and ldns 1.8 both read by name; others are keyNNNNN.
constexpr std::string_view kKeyNames[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                          "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};
constexpr uint16_t kKnownKeys = sizeof kKeyNames / sizeof kKeyNames[0];

void append_key(uint16_t key, std::string& out) {
  if (key < kKnownKeys) {
    out += kKeyNames[key];
  } else {
    out += "key" + std::to_string(key);  // RFC 9460 section 2.1
  }
}

// RFC 9460 section 7.1.1: a non-empty list of sorted, distinct keys.
bool append_mandatory(Bytes v, std::string& out) {
  if (v.empty() || v.size() % 2 != 0) return false;
  for (size_t i = 0; i < v.size(); i += 2) {
    if (i > 0) out += ',';
    append_key(get_u16(&v[i]), out);
  }
  return true;
}

// RFC 9460 appendix A.1: items joined by ',', the whole value a quoted
// <character-string>. An item holding ',' or '\' needs a second level of
// escaping that ldns 1.8 does not undo, so it is not printed.
bool append_alpn(Bytes v, std::string& out) {
  std::string list;
  for (size_t pos = 0; pos < v.size(); pos += 1u + v[pos]) {
    if (v[pos] == 0 || v.size() - pos - 1 < v[pos]) return false;
    if (pos > 0) list += ',';
    for (uint8_t c : v.subspan(pos + 1, v[pos])) {
      if (c == ',' || c == '\\') return false;
      list += static_cast<char>(c);
    }
  }
  if (list.empty()) return false;
  append_quoted({reinterpret_cast<const uint8_t*>(list.data()), list.size()}, out);
  return true;
}

// RFC 9460 section 7.3: a non-empty comma-separated address list.
bool append_hints(Bytes v, size_t width, std::string& out) {
  if (v.empty() || v.size() % width != 0) return false;
  for (size_t i = 0; i < v.size(); i += width) {
    if (i > 0) out += ',';
    if (width == 4) {
      append_ipv4(&v[i], out);
    } else {
      append_ipv6(&v[i], out);
    }
  }
  return true;
}

// "key=value" (or the bare key) for one SvcParam; false when the value does
// not fit its key's format, so that no reader could write it back.
bool append_param(uint16_t key, Bytes v, std::string& out) {
  append_key(key, out);
  if (key == 2) return v.empty();  // no-default-alpn has no value
  if (key >= kKnownKeys && v.empty()) return true;
  out += '=';
  switch (key) {
    case 0: return append_mandatory(v, out);
    case 1: return append_alpn(v, out);
    case 3:
      if (v.size() != 2) return false;
      out += std::to_string(get_u16(v.data()));
      return true;
    case 4: return append_hints(v, 4, out);
    case 5:
      if (v.empty()) return false;
      append_base64(v, out);
      return true;
    case 6: return append_hints(v, 16, out);
    case 7:
      if (v.empty()) return false;
      append_quoted(v, out);
      return true;
    default: append_quoted(v, out); return true;  // RFC 9460 section 2.1: opaque
  }
}

}  // namespace

bool append_svc_params(Bytes d, std::string& out) {
  for (size_t pos = 0; pos < d.size();) {
    const uint16_t key = get_u16(&d[pos]);
    const uint16_t len = get_u16(&d[pos + 2]);
    if (pos > 0) out += ' ';
    if (!append_param(key, d.subspan(pos + 4, len), out)) return false;
    pos += 4u + len;
  }
  return true;
}

}  // namespace signerd::dns::text_detail
