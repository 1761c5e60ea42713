#include "policy/key_timing.hpp"

#include <algorithm>

namespace signerd::policy {
namespace {

using RS = RecordState;

constexpr Seconds kDefaultSignatureTtl = std::chrono::hours(24 * 7);

bool in_rollover(const KeyLifecycle& key) noexcept { return key.predecessor || key.successor; }

TimePoint base_of(const KeyLifecycle& key, Record record, TimePoint now) {
  return key.changed(record).value_or(now);
}

// D and K: the DNSKEY RRset reaches every cache after its TTL and the
// propagation delay; publish-safety only guards the way in (RFC 7583 Ipub).
TransitionTime dnskey_time(const KeyLifecycle& key, Record record, RecordState next, const Kasp& kasp,
                           TimePoint now) {
  Seconds wait = kasp.dnskey_ttl + kasp.zone_propagation_delay;
  if (next == RS::omnipresent) wait += kasp.publish_safety;
  return {base_of(key, record, now) + wait, WaitFor::dnskey_caches};
}

// Z: Iret = Dsgn + Dprp + TTLsig. A measured moment (the signer saw its
// zone complete, or empty of the key's signatures) replaces the assumed Dsgn.
TransitionTime zrrsig_time(const KeyLifecycle& key, RecordState next, const Kasp& kasp, TimePoint now) {
  const TimePoint lc = base_of(key, Record::zrrsig, now);
  const auto seen = next == RS::omnipresent ? key.signatures.complete : key.signatures.gone;
  TimePoint base = lc;
  Seconds delay = sign_delay(kasp);
  if (seen && *seen >= lc && *seen <= now) {
    base = *seen;
    delay = Seconds(0);
  }
  TimePoint at = base + signature_ttl(kasp) + kasp.zone_propagation_delay;
  // Only a rollover replaces signatures, so only then is there a sign
  // delay and a retire-safety to add (BIND #1625).
  if (in_rollover(key)) at += delay + kasp.retire_safety;
  return {at, WaitFor::signature_caches};
}

// S: Iret KSK = DprpP + TTLds, counted from the parent observation; never
// assumed (PowerDNS #11865: "DS seen" is not "DS in every cache").
TransitionTime ds_time(const KeyLifecycle& key, RecordState next, const Kasp& kasp, TimePoint now) {
  const auto seen = next == RS::omnipresent ? key.ds.published : key.ds.withdrawn;
  if (!seen || *seen > now) return {now + kasp.checkds_interval, WaitFor::parent};
  TimePoint at = *seen + parent_ds_ttl(kasp, key.ds) + kasp.parent_propagation_delay;
  if (in_rollover(key)) at += kasp.retire_safety;
  return {at, WaitFor::ds_caches};
}

}  // namespace

Seconds signature_ttl(const Kasp& kasp) noexcept {
  return kasp.max_zone_ttl.count() > 0 ? kasp.max_zone_ttl : kDefaultSignatureTtl;
}
Seconds publication_interval(const Kasp& kasp) noexcept {
  return kasp.dnskey_ttl + kasp.publish_safety + kasp.zone_propagation_delay;
}
Seconds sign_delay(const Kasp& kasp) noexcept {
  return std::max(Seconds(0), kasp.signatures_validity - kasp.signatures_refresh);
}
Seconds zsk_retire_interval(const Kasp& kasp) noexcept {
  return sign_delay(kasp) + kasp.zone_propagation_delay + signature_ttl(kasp) + kasp.retire_safety;
}
Seconds ksk_retire_interval(const Kasp& kasp) noexcept {
  return kasp.parent_propagation_delay + kasp.parent_ds_ttl + kasp.retire_safety;
}
Seconds parent_ds_ttl(const Kasp& kasp, const DsObservation& ds) noexcept {
  return std::max(kasp.parent_ds_ttl, ds.ttl.value_or(Seconds(0)));
}

std::string_view wait_name(WaitFor wait) noexcept {
  switch (wait) {
    case WaitFor::nothing: return "nothing";
    case WaitFor::dnskey_caches: return "the DNSKEY RRset to turn over in every cache";
    case WaitFor::signature_caches: return "the zone signatures to turn over in every cache";
    case WaitFor::ds_caches: return "the parent's DS RRset to turn over in every cache";
    case WaitFor::parent: return "the parent";
  }
  return "";
}

TransitionTime transition_time(const ZoneKey& key, Record record, RecordState next, const Kasp& kasp,
                               TimePoint now) {
  if (next == RS::rumoured || next == RS::unretentive) return {now, WaitFor::nothing};
  switch (record) {
    case Record::dnskey:
    case Record::krrsig: return dnskey_time(key.life, record, next, kasp, now);
    case Record::zrrsig: return zrrsig_time(key.life, next, kasp, now);
    case Record::ds: return ds_time(key.life, next, kasp, now);
  }
  return {now, WaitFor::nothing};
}

TimePoint remove_time(Role role, TimePoint retire, const Kasp& kasp) noexcept {
  Seconds iret(0);
  if (signs_zone(role)) iret = std::max(iret, zsk_retire_interval(kasp));
  if (signs_dnskey(role)) iret = std::max(iret, ksk_retire_interval(kasp));
  return retire + iret;
}

TimePoint sync_publish_time(TimePoint publish, bool first_key, const Kasp& kasp) noexcept {
  TimePoint at = publish + publication_interval(kasp);
  if (first_key) at = std::max(at, publish + signature_ttl(kasp) + kasp.zone_propagation_delay);
  return at;
}

std::optional<TimePoint> prepublication_time(const KeyLifecycle& key, const Kasp& kasp) noexcept {
  if (!key.planned.retire) return std::nullopt;
  return *key.planned.retire - publication_interval(kasp);
}

void plan_retirement(KeyTimes& times, Role role, std::optional<Seconds> lifetime, const Kasp& kasp) {
  if (!lifetime || !times.active) {
    times.retire.reset();
    times.remove.reset();
    times.sync_delete.reset();
    return;
  }
  times.retire = *times.active + *lifetime;
  times.remove = remove_time(role, *times.retire, kasp);
  if (times.sync_publish && signs_dnskey(role)) times.sync_delete = *times.sync_publish + *lifetime;
}

KeyTimes plan_first_key(Role role, std::optional<Seconds> lifetime, const Kasp& kasp, TimePoint now) {
  KeyTimes t;
  t.publish = now;
  t.active = now;
  if (signs_dnskey(role)) t.sync_publish = sync_publish_time(now, true, kasp);
  plan_retirement(t, role, lifetime, kasp);
  return t;
}

KeyTimes plan_successor(const KeyLifecycle& predecessor, Role role, std::optional<Seconds> lifetime,
                        const Kasp& kasp, TimePoint now) {
  const TimePoint retire = predecessor.planned.retire.value_or(now);
  TimePoint publish = retire - publication_interval(kasp);
  TimePoint active = retire;
  if (publish < now) {  // late: publish now and keep the interval before activation
    active += now - publish;
    publish = now;
  }
  active = std::max(active, now);
  KeyTimes t;
  t.publish = publish;
  t.active = active;
  if (signs_dnskey(role)) t.sync_publish = sync_publish_time(publish, false, kasp);
  plan_retirement(t, role, lifetime, kasp);
  return t;
}

}  // namespace signerd::policy
