#include "signerd/offline_context.hpp"

#include <random>

#include "base/log.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "hsm/pem_key_store.hpp"
#include "hsm/pkcs11_key_store.hpp"
#include "policy/key_selection.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;

}  // namespace

base::Result<std::unique_ptr<hsm::KeyStore>> open_key_store(const HsmConfig& hsm_config) {
  if (hsm_config.backend == KeyBackend::pem) {
    auto s = hsm::PemKeyStore::create(hsm_config.key_dir.string());
    if (!s) return std::move(s).error();
    return std::unique_ptr<hsm::KeyStore>(std::move(*s));
  }
  if (hsm_config.pin_file.empty()) return make_error(Errc::invalid_argument, "hsm: pin-file is not set");
  hsm::Pkcs11Options options;
  options.module_path = hsm_config.module.string();
  options.token_label = hsm_config.token_label;
  options.pin_file = hsm_config.pin_file.string();
  auto s = hsm::Pkcs11KeyStore::create(options);
  if (!s) return std::move(s).error();
  return std::unique_ptr<hsm::KeyStore>(std::move(*s));
}

namespace {

// RFC 4034 section 2.1.1: the SEP bit marks keys whose DS goes to the parent.
uint16_t dnskey_flags(policy::Role role) {
  return role == policy::Role::zsk ? dnssec::kDnskeyZoneKey
                                   : static_cast<uint16_t>(dnssec::kDnskeyZoneKey | dnssec::kDnskeySep);
}

}  // namespace

base::Result<store::KeyRecord> create_key(OfflineContext& ctx, const dns::Name& zone,
                                          const policy::KeyPolicy& want, base::TimePoint now) {
  auto alg = hsm::algorithm_from_number(want.algorithm);
  if (!alg)
    return make_error(Errc::unsupported,
                      "algorithm " + std::to_string(want.algorithm) + " has no key backend");
  hsm::KeySpec spec;
  spec.algorithm = *alg;
  spec.rsa_bits = want.bits != 0 ? want.bits : policy::kDefaultRsaBits;
  spec.label = zone.to_text() + " " + std::string(policy::role_name(want.role));
  auto info = ctx.keys->generate(spec);
  if (!info) return std::move(info).error();

  store::KeyRecord rec;
  rec.zone = zone;
  rec.backend =
      ctx.config.hsm.backend == KeyBackend::pem ? store::KeyBackend::pem : store::KeyBackend::pkcs11;
  rec.ref = info->uri;
  rec.algorithm = want.algorithm;
  rec.role = want.role;
  rec.bits = want.bits;
  rec.flags = dnskey_flags(rec.role);
  rec.public_key = info->public_key;
  rec.key_tag = dnssec::key_tag(dnssec::make_dnskey_rdata(rec.flags, rec.algorithm, rec.public_key));
  rec.created = now;
  rec.life.lifetime = want.lifetime;  // all records hidden: nothing published yet
  return rec;
}

namespace {

// Records freshly generated keys, with an audit line each, in one
// transaction; assigns their ids.
base::Result<void> record_keys(store::Database& db, const dns::Name& zone,
                               std::vector<store::KeyRecord>& fresh, base::TimePoint now) {
  auto tx = store::Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  auto zone_id = store::ensure_zone(db, zone, now);
  if (!zone_id) return std::move(zone_id).error();
  for (auto& k : fresh) {
    auto id = store::add_key(db, k);
    if (!id) return std::move(id).error();
    k.id = *id;
    auto logged =
        store::audit(db, now, zone, "key-created",
                     std::string(policy::role_name(k.role)) + " " + std::to_string(k.key_tag) + " " + k.ref);
    if (!logged) return std::move(logged).error();
  }
  return tx->commit();
}

}  // namespace

base::Result<OfflineContext> OfflineContext::open(const std::filesystem::path& config_file) {
  auto config = load_config(config_file);
  if (!config) return std::move(config).error();
  auto db = store::Database::open(config->server.state_dir / "signerd.db");
  if (!db) return std::move(db).error();
  return OfflineContext{std::move(*config), std::move(*db), nullptr};
}

base::Result<void> OfflineContext::open_key_store() {
  auto opened = signerd::open_key_store(config.hsm);
  if (!opened) return std::move(opened).error();
  keys = std::move(*opened);
  return base::ok();
}

base::Result<std::vector<store::KeyRecord>> ensure_policy_keys(OfflineContext& ctx, const dns::Name& zone,
                                                               const policy::Kasp& kasp,
                                                               base::TimePoint now) {
  auto stored = store::list_keys(ctx.db, zone);
  if (!stored) return std::move(stored).error();
  std::vector<policy::ZoneKey> view;
  for (const auto& k : *stored) view.push_back(store::to_zone_key(k));
  std::vector<store::KeyRecord> chosen;
  std::vector<policy::KeyPolicy> missing;
  const auto selected = policy::select_policy_keys(kasp, view);
  for (size_t e = 0; e < selected.size(); ++e) {
    if (!selected[e]) {
      missing.push_back(kasp.keys[e]);
      continue;
    }
    const auto& k = (*stored)[*selected[e]];
    if (auto present = ctx.keys->find(k.ref, hsm::algorithm_from_number(k.algorithm)); !present) {
      return make_error(Errc::not_found,
                        "zone " + zone.to_text() + ": key " + std::to_string(k.key_tag) +
                            " is in the store but not in the key store: " + present.error().detail);
    }
    chosen.push_back(k);
  }
  if (missing.empty()) return chosen;

  std::vector<store::KeyRecord> fresh;
  auto forget_fresh = [&] {
    for (const auto& k : fresh) (void)ctx.keys->remove(k.ref);
  };
  for (const auto& want : missing) {
    auto rec = create_key(ctx, zone, want, now);
    if (!rec) {
      forget_fresh();
      return std::move(rec).error();
    }
    // In use at once, as dnssec-signzone's keys are: sign-file signs a
    // file, with no caches to wait for.
    rec->life = policy::in_use_since(want.role, now);
    rec->life.lifetime = want.lifetime;
    fresh.push_back(std::move(*rec));
  }
  auto recorded = record_keys(ctx.db, zone, fresh, now);
  if (!recorded) {
    forget_fresh();
    return std::move(recorded).error();
  }
  for (auto& k : fresh) {
    base::log::info("zone " + zone.to_text() + ": created " + std::string(policy::role_name(k.role)) +
                    " key " + std::to_string(k.key_tag) + " (" + k.ref + ")");
    chosen.push_back(std::move(k));
  }
  return chosen;
}

base::Result<void> check_policy_algorithms(const hsm::KeyStore& keys, const policy::Kasp& kasp) {
  for (const auto& want : kasp.keys) {
    auto alg = hsm::algorithm_from_number(want.algorithm);
    if (!alg)
      return make_error(Errc::unsupported, "policy " + kasp.name + ": algorithm " +
                                               std::to_string(want.algorithm) + " has no key backend");
    if (auto usable = keys.check_algorithm(*alg); !usable)
      return make_error(Errc::unsupported, "policy " + kasp.name + ": " + usable.error().detail);
  }
  return base::ok();
}

dnssec::SigningParams signing_params(const policy::Kasp& kasp) {
  dnssec::SigningParams p;
  p.validity = kasp.signatures_validity;
  p.jitter = kasp.signatures_jitter;
  p.refresh = kasp.signatures_refresh;
  p.dnskey_ttl = static_cast<uint32_t>(kasp.dnskey_ttl.count());
  p.cds_digest_types = kasp.cds_digest_types;
  p.cdnskey = kasp.cdnskey;
  if (kasp.nsec3) {
    dnssec::Nsec3Params n;
    n.iterations = kasp.nsec3->iterations;
    n.opt_out = kasp.nsec3->optout;
    std::random_device rd;
    for (uint8_t i = 0; i < kasp.nsec3->salt_length; ++i) n.salt.push_back(static_cast<uint8_t>(rd()));
    p.denial = n;
  }
  return p;
}

dnssec::ZoneKeys zone_keys(OfflineContext& ctx, const std::vector<store::KeyRecord>& records) {
  dnssec::ZoneKeys out{ctx.keys.get(), {}};
  for (const auto& r : records) {
    const policy::Publication p = policy::publication(r.role, r.life);
    if (!p.dnskey && !p.signs_dnskey && !p.signs_zone) continue;
    out.keys.push_back(dnssec::SigningKey{.ref = r.ref,
                                          .algorithm = hsm::algorithm_from_number(r.algorithm),
                                          .flags = r.flags,
                                          .publish = p.dnskey,
                                          .ksk = p.signs_dnskey,
                                          .zsk = p.signs_zone,
                                          .cds = p.cds});
  }
  return out;
}

}  // namespace signerd
