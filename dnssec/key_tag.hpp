// dnssec/key_tag.hpp — the key tag of a DNSKEY (RFC 4034 appendix B).
//
// Owns: the 16-bit tag that RRSIG and DS records use to point at a key.
// Tags are not unique: verifiers try every key with the tag, and key
// generation (hsm/, policy/) avoids collisions within a zone.
#pragma once

#include <cstdint>
#include <span>

namespace signerd::dnssec {

// The key tag of `dnskey_rdata` (flags, protocol, algorithm, public key).
// Algorithm 1 (RSA/MD5) uses the older rule of appendix B.1. RDATA shorter
// than the DNSKEY header yields 0; callers validate RDATA first.
uint16_t key_tag(std::span<const uint8_t> dnskey_rdata) noexcept;

}  // namespace signerd::dnssec
