// signerd/json.hpp — the one JSON text helper the status endpoint needs.
//
// Owns: escaping a string for a JSON string literal (RFC 8259 section 7).
// Does not own: building documents (the daemon writes them from a snapshot)
// or parsing JSON (the control socket's flat requests: control_protocol.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace signerd {

// Returns `in` escaped for use between the quotes of a JSON string: '"' and
// '\' are backslash-escaped, control characters (U+0000..U+001F) become
// \u00XX (\n, \r, \t, \b, \f keep their short forms), and every byte that is
// not part of well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF) becomes U+FFFD, so the output is always valid JSON
// whatever a zone name or an error detail holds. Thread-safe, never fails.
std::string json_escape(std::string_view in);

// Length of the well-formed UTF-8 sequence (RFC 3629) starting at in[i]
// (i < in.size()), or 0 when the bytes there are not one. Never fails.
std::size_t utf8_sequence_length(std::string_view in, std::size_t i);

}  // namespace signerd
