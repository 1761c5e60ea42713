// signerd/control_protocol.cpp — a bounded reader for the control socket's
// one-line JSON (RFC 8259), and the writers of requests and replies.
#include "signerd/control_protocol.hpp"

#include <cstdint>
#include <set>
#include <utility>

#include "signerd/json.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;

// Objects and arrays in a reply's data may nest this deep; deeper is refused
// (the skip is recursive, and no reply of ours comes near it).
constexpr int kMaxDepth = 16;

// A cursor over one line. Every read checks the end; errors name the byte.
class Reader {
 public:
  Reader(std::string_view in, std::string_view what) : in_(in), what_(what) {}

  base::Error error(std::string_view why) const {
    return base::Error{Errc::malformed, "malformed " + std::string(what_) + ": " + std::string(why) +
                                            " at byte " + std::to_string(pos_)};
  }
  void skip_ws() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r')) ++pos_;
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return at_end() ? '\0' : in_[pos_]; }
  bool eat(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }

  base::Result<std::string> string();
  base::Result<void> skip_value(int depth);

 private:
  base::Result<uint32_t> hex4();
  base::Result<void> escape(std::string& out);
  base::Result<void> skip_number();
  base::Result<void> skip_literal();

  std::string_view in_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

base::Result<uint32_t> Reader::hex4() {
  if (in_.size() - pos_ < 4) return error("short \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = in_[pos_];
    uint32_t d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return error("bad hex digit in \\u escape");
    }
    v = v * 16 + d;
    ++pos_;
  }
  return v;
}

// After the backslash. RFC 8259 section 7: the two-character escapes and
// \uXXXX, a character outside the BMP as a UTF-16 surrogate pair.
base::Result<void> Reader::escape(std::string& out) {
  if (at_end()) return error("unterminated string");
  const char c = in_[pos_++];
  switch (c) {
    case '"': out += '"'; return base::ok();
    case '\\': out += '\\'; return base::ok();
    case '/': out += '/'; return base::ok();
    case 'b': out += '\b'; return base::ok();
    case 'f': out += '\f'; return base::ok();
    case 'n': out += '\n'; return base::ok();
    case 'r': out += '\r'; return base::ok();
    case 't': out += '\t'; return base::ok();
    case 'u': break;
    default: --pos_; return error("unknown escape");
  }
  auto cp = hex4();
  if (!cp) return std::move(cp).error();
  if (*cp >= 0xDC00 && *cp <= 0xDFFF) return error("lone low surrogate in \\u escape");
  if (*cp >= 0xD800 && *cp <= 0xDBFF) {
    if (!eat('\\') || !eat('u')) return error("high surrogate not followed by a low one");
    auto low = hex4();
    if (!low) return std::move(low).error();
    if (*low < 0xDC00 || *low > 0xDFFF) return error("high surrogate not followed by a low one");
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
  }
  if (*cp == 0) return error("\\u0000 is not allowed");
  append_utf8(out, *cp);
  return base::ok();
}

base::Result<std::string> Reader::string() {
  if (!eat('"')) return error("expected a string");
  std::string out;
  for (;;) {
    if (at_end()) return error("unterminated string");
    const auto c = static_cast<uint8_t>(in_[pos_]);
    if (c == '"') {
      ++pos_;
      return out;
    }
    if (c == '\\') {
      ++pos_;
      if (auto e = escape(out); !e) return std::move(e).error();
    } else if (c < 0x20) {
      return error("control character in a string");
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++pos_;
    } else if (const std::size_t len = utf8_sequence_length(in_, pos_); len != 0) {
      out.append(in_.substr(pos_, len));
      pos_ += len;
    } else {
      return error("invalid UTF-8");
    }
  }
}

base::Result<void> Reader::skip_number() {
  auto digits = [&] {
    const std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9' && !at_end()) ++pos_;
    return pos_ > start;
  };
  eat('-');
  if (!eat('0') && !digits()) return error("bad number");
  if (eat('.') && !digits()) return error("bad number");
  if (eat('e') || eat('E')) {
    if (!eat('+')) eat('-');
    if (!digits()) return error("bad number");
  }
  return base::ok();
}

base::Result<void> Reader::skip_literal() {
  for (std::string_view word : {"true", "false", "null"}) {
    if (in_.substr(pos_).starts_with(word)) {
      pos_ += word.size();
      return base::ok();
    }
  }
  return error("unexpected character");
}

// Any JSON value, read and dropped (a reply's data).
base::Result<void> Reader::skip_value(int depth) {
  if (depth > kMaxDepth) return error("nested too deep");
  const char c = peek();
  if (c == '"') {
    auto s = string();
    if (!s) return std::move(s).error();
    return base::ok();
  }
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++pos_;
    skip_ws();
    if (eat(close)) return base::ok();
    for (;;) {
      skip_ws();
      if (c == '{') {
        if (auto key = string(); !key) return std::move(key).error();
        skip_ws();
        if (!eat(':')) return error("expected ':'");
        skip_ws();
      }
      if (auto v = skip_value(depth + 1); !v) return v;
      skip_ws();
      if (eat(close)) return base::ok();
      if (!eat(',')) return error(c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) return skip_number();
  return skip_literal();
}

// Walks one top-level object: on_member(key, reader) reads each value.
// Nothing but whitespace may follow the closing brace.
template <class OnMember>
base::Result<void> walk_object(Reader& r, OnMember&& on_member) {
  r.skip_ws();
  if (!r.eat('{')) return r.error("expected '{'");
  r.skip_ws();
  if (!r.eat('}')) {
    for (;;) {
      r.skip_ws();
      auto key = r.string();
      if (!key) return std::move(key).error();
      r.skip_ws();
      if (!r.eat(':')) return r.error("expected ':' after key");
      r.skip_ws();
      if (auto v = on_member(*key, r); !v) return v;
      r.skip_ws();
      if (r.eat('}')) break;
      if (!r.eat(',')) return r.error("expected ',' or '}'");
    }
  }
  r.skip_ws();
  if (!r.at_end()) return r.error("text after the object");
  return base::ok();
}

bool plain_word(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const auto u = static_cast<uint8_t>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

base::Result<ControlRequest> parse_request(std::string_view line) {
  if (line.size() > kMaxRequestBytes)
    return make_error(Errc::out_of_range,
                      "request line longer than " + std::to_string(kMaxRequestBytes) + " bytes");
  if (line.ends_with('\r')) line.remove_suffix(1);
  Reader r(line, "request");
  ControlRequest out;
  bool have_verb = false;
  std::size_t members = 0;
  std::set<std::string> seen;
  auto member = [&](const std::string& key, Reader& in) -> base::Result<void> {
    if (++members > kMaxRequestMembers)
      return make_error(Errc::out_of_range,
                        "request has more than " + std::to_string(kMaxRequestMembers) + " members");
    if (!seen.insert(key).second) return in.error("duplicate key '" + json_escape(key) + "'");
    if (in.peek() == '{' || in.peek() == '[')
      return in.error("nested value for '" + json_escape(key) + "' (values are strings)");
    if (in.peek() != '"') return in.error("value of '" + json_escape(key) + "' is not a string");
    auto value = in.string();
    if (!value) return std::move(value).error();
    if (key == "verb") {
      out.verb = std::move(*value);
      have_verb = true;
    } else {
      out.args.emplace(key, std::move(*value));
    }
    return base::ok();
  };
  if (auto walked = walk_object(r, member); !walked) return std::move(walked).error();
  if (!have_verb || out.verb.empty())
    return make_error(Errc::malformed, "malformed request: missing \"verb\"");
  return out;
}

std::string request_line(const ControlRequest& request) {
  std::string out = "{\"verb\":" + json_string(request.verb);
  for (const auto& [key, value] : request.args) {
    if (key == "verb") continue;
    out += "," + json_string(key) + ":" + json_string(value);
  }
  return out + "}\n";
}

std::string describe(const ControlRequest& request) {
  auto shown = [](const std::string& s) { return plain_word(s) ? s : json_string(s); };
  std::string out = shown(request.verb);
  for (const auto& [key, value] : request.args) out += " " + shown(key) + " " + shown(value);
  return out;
}

bool changes_state(std::string_view verb) {
  return verb == "reload" || verb == "retransfer" || verb == "notify";
}

std::string json_string(std::string_view s) { return "\"" + json_escape(s) + "\""; }

std::string ok_reply(std::string_view text, std::string_view members) {
  std::string out = "{\"ok\":true,\"text\":" + json_string(text);
  if (!members.empty()) {
    out += ',';
    out += members;
  }
  return out + "}";
}

std::string error_reply(std::string_view error) {
  return "{\"ok\":false,\"error\":" + json_string(error) + "}";
}

base::Result<ControlReply> parse_reply(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  Reader r(line, "reply");
  ControlReply out;
  bool have_ok = false;
  auto member = [&](const std::string& key, Reader& in) -> base::Result<void> {
    if (key == "ok") {
      if (in.eat('t') && in.eat('r') && in.eat('u') && in.eat('e')) {
        out.ok = have_ok = true;
        return base::ok();
      }
      if (in.eat('f') && in.eat('a') && in.eat('l') && in.eat('s') && in.eat('e')) {
        have_ok = true;
        return base::ok();
      }
      return in.error("\"ok\" is not true or false");
    }
    if ((key == "error" || key == "text") && in.peek() == '"') {
      auto value = in.string();
      if (!value) return std::move(value).error();
      (key == "error" ? out.error : out.text) = std::move(*value);
      return base::ok();
    }
    return in.skip_value(1);
  };
  if (auto walked = walk_object(r, member); !walked) return std::move(walked).error();
  if (!have_ok) return make_error(Errc::malformed, "malformed reply: missing \"ok\"");
  return out;
}

}  // namespace signerd
