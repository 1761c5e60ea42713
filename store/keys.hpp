// store/keys.hpp — zones and the metadata of their DNSSEC keys.
//
// Owns: KeyRecord and the functions that read and write the zones and keys
// tables. Does not own: key material (hsm/ keeps private keys in the HSM or in
// PEM files) or the meaning of states (policy/ decides transitions; the store
// only records them).
//
// SECRETS ARE NEVER STORED. A key row holds a reference (a pkcs11: URI or a
// PEM key id) and the DNSKEY public key, nothing that signs. add_key refuses a
// pkcs11: URI that carries a PIN (RFC 7512 pin-value) and a reference that
// looks like PEM text.
//
// Every function runs on the caller's connection and joins the caller's
// Transaction if one is open; each is a single statement, so it is atomic on
// its own. Thread-safety: as Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "policy/key_state.hpp"
#include "store/database.hpp"

namespace signerd::store {

using base::TimePoint;

enum class KeyBackend : uint8_t { pkcs11, pem };

std::string_view to_string(KeyBackend backend) noexcept;
// Errors: malformed when `text` is not one of the names above.
Result<KeyBackend> key_backend_from_string(std::string_view text);

// A key row: where the key lives and what its DNSKEY says, and its
// lifecycle in policy/'s vocabulary (goal, record states, links, planned
// and observed times), which the store keeps and never interprets.
struct KeyRecord {
  int64_t id = 0;  // assigned by add_key; ignored on input
  dns::Name zone;
  KeyBackend backend = KeyBackend::pkcs11;
  std::string ref;        // "pkcs11:..." URI or PEM key id: a reference, never key material
  uint8_t algorithm = 0;  // DNSSEC algorithm number (RFC 8624)
  uint16_t bits = 0;      // RSA modulus size; 0 where the algorithm fixes it
  policy::Role role = policy::Role::csk;
  uint16_t flags = 0;  // DNSKEY flags (257 KSK/CSK, 256 ZSK)
  uint16_t key_tag = 0;
  std::vector<uint8_t> public_key;  // the DNSKEY public key field
  TimePoint created{};
  policy::KeyLifecycle life;

  bool operator==(const KeyRecord&) const = default;
};

// The state machine's view of a stored key.
policy::ZoneKey to_zone_key(const KeyRecord& key);

// Returns the id of `zone`, inserting it (with `now` as its creation time) if
// it is new. Names compare case-insensitively. Errors: io.
Result<int64_t> ensure_zone(Database& db, const dns::Name& zone, TimePoint now);

// Inserts `key` and returns its id. Errors: not_found (the zone was never
// ensured), conflict (the zone already has a key with this ref),
// invalid_argument (empty ref, a ref that carries a secret), io.
Result<int64_t> add_key(Database& db, const KeyRecord& key);

// The zone's keys in insertion (id) order; empty for an unknown zone.
// Errors: malformed (a row this build cannot read), io.
Result<std::vector<KeyRecord>> list_keys(Database& db, const dns::Name& zone);

// The zone's key with reference `ref`. Errors: not_found, malformed, io.
Result<KeyRecord> find_key(Database& db, const dns::Name& zone, std::string_view ref);

// The zone's keys with `key_tag`, in id order. Key tags are not unique
// (RFC 4034 Appendix B), hence a list; empty when none match.
Result<std::vector<KeyRecord>> find_keys_by_tag(Database& db, const dns::Name& zone, uint16_t key_tag);

// Replaces the lifecycle of key `id` (goal, states, links, times) with
// `life`, in one statement. Errors: not_found, io.
Result<void> set_key_lifecycle(Database& db, int64_t id, const policy::KeyLifecycle& life);

// Deletes the metadata row of key `id`; deleting the key itself from its
// backend is the caller's business (hsm/). Errors: not_found, io.
Result<void> remove_key(Database& db, int64_t id);

}  // namespace signerd::store
