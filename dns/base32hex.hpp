// dns/base32hex.hpp — RFC 4648 section 7 "base32hex" without padding, the
// encoding of NSEC3 hashed owner names and next-hashed-owner fields
// (RFC 5155 section 3.3). Shared by the presentation format and dnssec/.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace signerd::dns {

enum class LetterCase { lower, upper };

void append_base32hex(std::span<const uint8_t> data, std::string& out, LetterCase letters);

}  // namespace signerd::dns
