// signerd/control_protocol.hpp — the control socket's wire format.
//
// Owns: parsing a request line and a reply line, and writing both. A
// request is ONE line of JSON (RFC 8259), a flat object whose values are
// all strings, at most kMaxRequestBytes:
//   {"verb":"retransfer","zone":"example.com."}
// A reply is one line too: {"ok":true,"text":"…",…} or
// {"ok":false,"error":"zone x.: not configured"}; "text" is the human form
// that signerctl prints, the other members are the data (--json).
// Does not own: the socket (control_server.hpp), what a verb does
// (control_verbs.hpp).
//
// Pure functions: no I/O, thread-safe, no input can make them throw or
// read past the line (the parser is bounded in depth and size; fuzzed by
// tests/fuzz/fuzz_control_request.cpp).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace signerd {

// A request line, without its '\n', may be this long; longer ones are refused.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
// More members than this in a request are refused (no verb needs many).
inline constexpr std::size_t kMaxRequestMembers = 32;

struct ControlRequest {
  std::string verb;
  std::map<std::string, std::string> args;  // every member but "verb"

  bool operator==(const ControlRequest&) const = default;
};

// Parses one request line (without '\n'; a trailing '\r' is allowed).
// Fails with Errc::out_of_range when the line is longer than
// kMaxRequestBytes or has too many members, Errc::malformed otherwise, the
// detail saying what and where: "malformed request: nested value for
// 'zone' at byte 9 (values are strings)", "duplicate key 'zone'", "missing
// \"verb\"". String escapes are RFC 8259's, \uXXXX included (surrogate
// pairs joined; a lone surrogate and \u0000 are refused); raw bytes must
// be well-formed UTF-8.
base::Result<ControlRequest> parse_request(std::string_view line);

// The request as one line of JSON, '\n' included (what signerctl sends).
std::string request_line(const ControlRequest& request);

// For the log: "retransfer zone example.com." (the verb, then each
// argument's key and value, escaped as JSON strings are when odd).
std::string describe(const ControlRequest& request);

// Whether the verb changes the daemon's state (those are logged with the
// peer's uid): reload, retransfer, notify.
bool changes_state(std::string_view verb);

// Replies, one line each, '\n' not included. `members` is JSON text of
// further members, comma-separated, without braces ("\"zones\":[…]"), or
// empty.
std::string ok_reply(std::string_view text, std::string_view members = {});
std::string error_reply(std::string_view error);
// "\"…\"": `s` as a JSON string literal (json_escape).
std::string json_string(std::string_view s);

struct ControlReply {
  bool ok = false;
  std::string error;  // when !ok
  std::string text;   // the human form, when ok
};

// Reads a reply line: "ok" must be true or false; "error" and "text" are
// taken when they are strings; other members (any JSON value, nested to a
// bounded depth) are skipped. Errc::malformed when it is not such a line.
base::Result<ControlReply> parse_reply(std::string_view line);

}  // namespace signerd
