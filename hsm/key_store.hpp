// hsm/key_store.hpp — the interface between the signing engine and its keys.
//
// Owns: KeySpec (what to generate), KeyInfo (what a stored key is: algorithm,
// CKA_ID, CKA_LABEL, URI, DNSKEY public key field), PrivateKey (sign bytes in
// DNSSEC wire format), KeySession (one signing worker's view of the store) and
// KeyStore (generate, list, find, remove, open). Backends: pkcs11_key_store.hpp
// (default) and pem_key_store.hpp. Does not own: RRsets, RRSIG layout or key
// tags (dnssec/), key states and roles (store/, policy/).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "hsm/algorithm.hpp"

namespace signerd::hsm {

using Bytes = std::vector<uint8_t>;

struct KeySpec {
  Algorithm algorithm = Algorithm::ecdsap256sha256;
  unsigned rsa_bits = 2048;  // RSA only; 1024..4096 (RFC 5702 section 2)
  Bytes id;                  // CKA_ID; empty: 16 random bytes
  std::string label;         // CKA_LABEL, e.g. "example.com. zsk"; no control characters
};

struct KeyInfo {
  Algorithm algorithm = Algorithm::ecdsap256sha256;
  Bytes id;
  std::string label;
  // A reference that open() and remove() accept: an RFC 7512 pkcs11: URI for
  // the PKCS#11 backend, the key file path for the PEM backend.
  std::string uri;
  // The DNSKEY public key field: RFC 3110 section 2 (RSA), RFC 6605 section 4
  // (ECDSA, X||Y), RFC 8080 section 3 (EdDSA).
  Bytes public_key;
};

// A private key as seen by one KeySession. sign() is not thread-safe: a
// worker uses the keys of its own session only. The key stays usable while
// the caller holds it, even after its session object is gone.
class PrivateKey {
 public:
  virtual ~PrivateKey() = default;
  virtual const KeyInfo& info() const noexcept = 0;
  Algorithm algorithm() const noexcept { return info().algorithm; }
  const Bytes& public_key() const noexcept { return info().public_key; }

  // Signs `data` (for DNSSEC: RRSIG RDATA without the signature, then the
  // canonical RRset, RFC 4034 section 3.1.8.1) and returns the RRSIG
  // signature field: RSASSA-PKCS1-v1_5 (RFC 5702 section 3), ECDSA r||s of
  // fixed size (RFC 6605 section 4), EdDSA raw (RFC 8080 section 4).
  // Errors: not_found (the key was removed), io/internal (token failure).
  virtual base::Result<Bytes> sign(std::span<const uint8_t> data) = 0;
};

// One signing worker's handle on a store: a PKCS#11 session of its own and a
// cache of opened keys (object handles), so workers never share a session or
// a lock. Not thread-safe; create one per worker with open_for_worker().
class KeySession {
 public:
  virtual ~KeySession() = default;
  // `ref`: what KeyInfo::uri holds, or the CKA_ID in hex. `algorithm` is
  // required only where the key cannot tell (an RSA key generated elsewhere);
  // when given it must agree with the key (else conflict). Cached per ref.
  // Errors: not_found, conflict, unsupported (mechanism missing in the token).
  virtual base::Result<std::shared_ptr<PrivateKey>> open(std::string_view ref,
                                                         std::optional<Algorithm> algorithm = {}) = 0;
};

// Management operations are thread-safe (serialised inside the store; they
// are rare). Signing goes through KeySessions and takes no store lock.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Creates a key pair. Errors: unsupported (algorithm or mechanism not
  // available), conflict (a key with this id exists), invalid_argument.
  // Nothing is left behind when generation fails half-way.
  virtual base::Result<KeyInfo> generate(const KeySpec& spec) = 0;
  // Whether keys of `alg` can be generated and used here, checked before
  // any key is made (a config naming an algorithm the token lacks fails at
  // start, not at the first signing). Errors: unsupported, naming what is
  // missing. The default (software keys) supports every algorithm.
  virtual base::Result<void> check_algorithm(Algorithm alg) const {
    (void)alg;
    return base::ok();
  }
  // Every key this store can sign with; keys it cannot interpret are skipped.
  virtual base::Result<std::vector<KeyInfo>> list() = 0;
  // Errors: not_found, conflict (ref matches several keys), as KeySession::open.
  virtual base::Result<KeyInfo> find(std::string_view ref, std::optional<Algorithm> algorithm = {}) = 0;
  // Deletes the private and the public key. Errors: not_found.
  virtual base::Result<void> remove(std::string_view ref) = 0;
  // A new session for one signing worker. Errors: io (token failure).
  virtual base::Result<std::unique_ptr<KeySession>> open_for_worker() = 0;

  // Convenience for tools and tests: a key in a session of its own.
  base::Result<std::shared_ptr<PrivateKey>> open(std::string_view ref,
                                                 std::optional<Algorithm> algorithm = {});
};

// CKA_ID as lowercase hex, and back. from_hex errors: malformed.
std::string to_hex(std::span<const uint8_t> bytes);
base::Result<Bytes> from_hex(std::string_view text);

// A label fit for CKA_LABEL and a key file header: 1..255 bytes, no control
// characters. Errors: invalid_argument.
base::Result<void> check_label(std::string_view label);

}  // namespace signerd::hsm
