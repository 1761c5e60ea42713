// hsm/public_key.hpp — public-key and format work that needs no private key.
//
// Owns: the conversions between OpenSSL keys, PKCS#11 attribute values and
// the DNSKEY public key field; ECDSA signature encodings (DER vs. RFC 6605
// r||s); digests; signature verification from DNSKEY bytes alone. Pure
// functions, thread-safe. Does not own: private keys (the backends).
#pragma once

#include <openssl/evp.h>

#include <span>

#include "base/result.hpp"
#include "hsm/algorithm.hpp"
#include "hsm/key_store.hpp"
#include "hsm/openssl_handles.hpp"

namespace signerd::hsm {

// RFC 3110 section 2: exponent length (1 octet, or 0 then 2 octets when
// above 255), exponent, modulus; leading zero octets removed.
// Errors: invalid_argument (empty or oversized parts).
base::Result<Bytes> rsa_public_key_field(std::span<const uint8_t> exponent, std::span<const uint8_t> modulus);

// The DNSKEY field of an OpenSSL key, checked against `alg` (key type, curve).
// Errors: conflict (wrong key type or curve), internal.
base::Result<Bytes> public_key_field(Algorithm alg, const EVP_PKEY* key);

// The reverse: an OpenSSL public key from the DNSKEY field.
// Errors: malformed (wrong size, point not on the curve), internal.
base::Result<EvpPkey> public_key_from_field(Algorithm alg, std::span<const uint8_t> field);

// Verifies an RRSIG signature field over `data` with the DNSKEY field.
// Errors: malformed (bad key or signature encoding), conflict (signature
// does not verify).
base::Result<void> verify(Algorithm alg, std::span<const uint8_t> public_key, std::span<const uint8_t> data,
                          std::span<const uint8_t> signature);

// The algorithm's digest of data (RSA and ECDSA only). Errors: internal.
base::Result<Bytes> digest(Algorithm alg, std::span<const uint8_t> data);

// The DER DigestInfo prefix of RFC 8017 section 9.2 note 1 (RSA only).
std::span<const uint8_t> digest_info_prefix(Algorithm alg);

// ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs) <-> r||s, each left-padded
// to `field_size` (RFC 6605 section 4). Errors: malformed.
base::Result<Bytes> ecdsa_der_to_raw(std::span<const uint8_t> der, size_t field_size);
base::Result<Bytes> ecdsa_raw_to_der(std::span<const uint8_t> raw);

}  // namespace signerd::hsm
