// signerd/offline_context.hpp — what signerctl's offline commands (sign-file,
// keys, ds) open: the config, the SQLite store under its state-dir and the
// key store it names (PKCS#11 token or PEM directory).
//
// Owns: opening those three in order, and the zone's keys: reusing the keys
// the store lists for a policy, creating the missing ones in the key store
// and recording them (never key material: references and public keys).
// Single-threaded.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dnssec/zone_signer.hpp"
#include "hsm/key_store.hpp"
#include "policy/kasp.hpp"
#include "signerd/config.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"
#include "store/keys.hpp"

namespace signerd {

struct OfflineContext {
  Config config;
  store::Database db;
  std::unique_ptr<hsm::KeyStore> keys;  // null until open_key_store()

  // Reads the config and opens the store (created on first use).
  static base::Result<OfflineContext> open(const std::filesystem::path& config_file);
  // Logs in to the token (or opens the PEM directory) the config names.
  base::Result<void> open_key_store();
};

// The keys that sign `zone` under `kasp` offline (sign-file): for each key
// the policy lists, a stored key of that role and algorithm in use that the
// key store still holds; missing ones are generated, in use at once, and
// recorded in one transaction (a key generated but not recorded is removed
// from the key store again). The daemon's keys follow the key state
// machine instead (zone_keys.cpp).
base::Result<std::vector<store::KeyRecord>> ensure_policy_keys(OfflineContext& ctx, const dns::Name& zone,
                                                               const policy::Kasp& kasp, base::TimePoint now);

// Creates a key of the kind `want` asks for in the key store (never
// extractable) and describes it for the store: its DNSKEY flags, tag and
// public key, every record hidden. Not recorded: the caller adds it to the
// store, in the transaction that links it, and removes it from the key
// store again if that fails.
base::Result<store::KeyRecord> create_key(OfflineContext& ctx, const dns::Name& zone,
                                          const policy::KeyPolicy& want, base::TimePoint now);

// Checks that the key store can generate and use every algorithm `kasp`
// names. Errors: unsupported, naming the policy and the algorithm.
base::Result<void> check_policy_algorithms(const hsm::KeyStore& keys, const policy::Kasp& kasp);

// The key store `hsm` names: logs in to the PKCS#11 token, or opens the PEM
// directory. Errors name the module, token or file.
base::Result<std::unique_ptr<hsm::KeyStore>> open_key_store(const HsmConfig& hsm);

// Signing parameters from a policy (validity, jitter, DNSKEY TTL, NSEC or
// NSEC3 with a fresh random salt of the policy's length).
dnssec::SigningParams signing_params(const policy::Kasp& kasp);

// The dnssec view of stored keys.
dnssec::ZoneKeys zone_keys(OfflineContext& ctx, const std::vector<store::KeyRecord>& records);

}  // namespace signerd
