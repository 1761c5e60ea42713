// hsm/algorithm.hpp — the DNSSEC signing algorithms signerd supports.
//
// Owns: the Algorithm numbers (IANA "DNS Security Algorithm Numbers"), their
// mnemonics and the sizes that fix the wire format of keys and signatures.
// Does not own: any key material or crypto library state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace signerd::hsm {

enum class Algorithm : uint8_t {
  rsasha256 = 8,         // RFC 5702
  rsasha512 = 10,        // RFC 5702
  ecdsap256sha256 = 13,  // RFC 6605
  ecdsap384sha384 = 14,  // RFC 6605
  ed25519 = 15,          // RFC 8080
  ed448 = 16,            // RFC 8080
};

enum class KeyFamily { rsa, ecdsa, eddsa };

struct AlgorithmInfo {
  Algorithm algorithm;
  std::string_view name;  // BIND mnemonic, e.g. "ECDSAP256SHA256"
  KeyFamily family;
  std::string_view digest;  // OpenSSL digest name; empty for EdDSA (PureEdDSA hashes inside)
  // ECDSA: size of one coordinate and of r and s (RFC 6605 section 4);
  // EdDSA: size of the public key (RFC 8080 section 3); RSA: 0 (the modulus decides).
  size_t field_size;
  // Fixed signature size; 0 for RSA, where it is the modulus size.
  size_t signature_size;
};

// Every supported algorithm, in number order.
std::span<const AlgorithmInfo> all_algorithms() noexcept;

// The table row; the enum only holds supported values, so this never fails
// for a value that came from one of the parsers below.
const AlgorithmInfo& info(Algorithm alg) noexcept;

inline std::string_view name(Algorithm alg) noexcept { return info(alg).name; }
inline uint8_t number(Algorithm alg) noexcept { return static_cast<uint8_t>(alg); }

// nullopt for numbers signerd does not sign with (e.g. 5 RSASHA1).
std::optional<Algorithm> algorithm_from_number(unsigned number) noexcept;
// Case-insensitive mnemonic ("ecdsap256sha256") or decimal number ("13").
std::optional<Algorithm> algorithm_from_name(std::string_view text) noexcept;

}  // namespace signerd::hsm
