// The DS check event (../shared/KASP.md section 4.5): while a key's DS is
// on its way to the parent (rumoured, not yet seen) or out of it
// (unretentive, not yet seen gone), every address of every parental agent
// is asked for the zone's DS RRset each round; only a unanimous round of
// authenticated answers is an observation, which the key state machine
// then counts its waits from (parent-ds-ttl, parent-propagation-delay).
#include <algorithm>
#include <chrono>
#include <mutex>

#include "base/log.hpp"
#include "dnssec/dnskey.hpp"
#include "signerd/asio_address.hpp"
#include "signerd/zone_runtime.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"
#include "xfr/ds_query.hpp"

namespace signerd {
namespace {

// The DS RDATA the parent may hold for `key`: one per digest type signerd
// makes (SHA-256 and SHA-384), whatever the policy's cds-digest-types, so
// that a registry that chose the other one still counts.
std::vector<dns::Rdata> expected_ds(const dns::Name& zone, const store::KeyRecord& key) {
  std::vector<dns::Rdata> out;
  const dns::Rdata dnskey = dnssec::make_dnskey_rdata(key.flags, key.algorithm, key.public_key);
  for (auto digest : {dnssec::DsDigest::sha256, dnssec::DsDigest::sha384}) {
    if (auto ds = dnssec::make_ds_rdata(zone, dnskey, digest)) out.push_back(std::move(*ds));
  }
  return out;
}

// What the key waits for at the parent, if anything.
std::optional<xfr::DsWant> awaited(const store::KeyRecord& key) {
  if (!policy::has_record(key.role, policy::Record::ds)) return std::nullopt;
  const policy::RecordState ds = key.life.state(policy::Record::ds);
  if (ds == policy::RecordState::rumoured && !key.life.ds.published) return xfr::DsWant::published;
  if (ds == policy::RecordState::unretentive && !key.life.ds.withdrawn) return xfr::DsWant::withdrawn;
  return std::nullopt;
}

}  // namespace

std::optional<base::TimePoint> ZoneRuntime::parent_check_time(base::TimePoint now) const {
  if (config_.parental_agents.empty()) return std::nullopt;
  if (!std::any_of(key_records_.begin(), key_records_.end(), [](const auto& k) { return awaited(k); }))
    return std::nullopt;
  return checkds_due_.value_or(now);  // no round since the wait began: at once
}

void ZoneRuntime::record_operator_ds(bool published, std::optional<uint16_t> tag) {
  KeySetChange seen;
  seen.records = key_records_;
  const base::TimePoint now = ctx_.clock.now();
  const xfr::DsWant want = published ? xfr::DsWant::published : xfr::DsWant::withdrawn;
  for (auto& key : seen.records) {
    if (awaited(key) != want || (tag && *tag != key.key_tag)) continue;
    const std::string name = key_name(key);
    if (published) {
      key.life.ds.published = now;
    } else {
      key.life.ds.withdrawn = now;
    }
    parent_waits_.erase(key.id);
    seen.audit.push_back("DS of " + name + (published ? " published" : " withdrawn") +
                         " at the parent, by the operator (signerctl checkds)");
  }
  if (seen.audit.empty()) return;  // the key moved on since the command was checked
  if (auto stored = store_key_states(seen); !stored) {
    record_error("recording the operator's checkds: " + stored.error().detail);
    return;
  }
  for (const auto& line : seen.audit) base::log::info(who() + ": " + line);
  key_records_ = std::move(seen.records);
}

asio::awaitable<void> ZoneRuntime::check_parent() {
  std::vector<xfr::DsAgent> agents;
  for (const auto& agent : config_.parental_agents) {
    auto key = tsig_key(agent.key);
    if (!key) {
      // A round without this agent could count the DS as published on the
      // word of the others: no round at all.
      record_error("parental agent " + agent.address.to_string() + ": " + key.error().detail);
      checkds_due_ = ctx_.clock.now() + kasp_.checkds_interval;  // not a spin
      co_return;
    }
    agents.push_back({asio::ip::udp::endpoint(to_asio(agent.address.ip), agent.address.port), *key});
  }
  KeySetChange seen;
  seen.records = key_records_;
  bool waiting = false;
  for (auto& key : seen.records) {
    const auto want = awaited(key);
    if (!want) continue;
    xfr::DsCheckOptions options;
    options.want = *want;
    auto round =
        co_await xfr::check_ds(agents, config_.name, expected_ds(config_.name, key), options, ctx_.clock);
    const base::TimePoint now = ctx_.clock.now();
    const std::string name = key_name(key);
    const bool done = (*want == xfr::DsWant::published && round.outcome == xfr::DsRoundOutcome::published) ||
                      (*want == xfr::DsWant::withdrawn && round.outcome == xfr::DsRoundOutcome::withdrawn);
    if (!done) {
      waiting = true;
      // Said once per new reason, not every round.
      if (auto& said = parent_waits_[key.id]; said != round.reason) {
        said = round.reason;
        base::log::info(who() + ": DS of " + name + ": " + round.reason);
      }
      continue;
    }
    parent_waits_.erase(key.id);
    if (round.ds_ttl)
      key.life.ds.ttl =
          std::max(key.life.ds.ttl.value_or(policy::Seconds{0}), policy::Seconds{*round.ds_ttl});
    if (*want == xfr::DsWant::published) {
      key.life.ds.published = now;
      seen.audit.push_back("DS of " + name + " published at every parental-agent address" +
                           (round.ds_ttl ? " (TTL " + std::to_string(*round.ds_ttl) + ")" : ""));
    } else {
      key.life.ds.withdrawn = now;
      seen.audit.push_back("DS of " + name + " withdrawn at every parental-agent address");
    }
  }
  const base::TimePoint now = ctx_.clock.now();
  checkds_due_ = waiting ? std::optional(now + kasp_.checkds_interval) : std::nullopt;
  if (seen.audit.empty()) co_return;
  if (auto stored = store_key_states(seen); !stored) {
    record_error("recording the parent's DS: " + stored.error().detail);
    co_return;
  }
  for (const auto& line : seen.audit) base::log::info(who() + ": " + line);
  key_records_ = std::move(seen.records);
  // The observation may let a transition through now (BIND change 5607).
  run_key_event();
}

}  // namespace signerd
