// The aggregation half of xfr/ds_check.hpp: one round over every address.
#include <algorithm>

#include "xfr/ds_check.hpp"

namespace signerd::xfr {
namespace {

std::string key_text(uint16_t key_tag) { return "key " + std::to_string(key_tag); }

std::string describe(const DsAddressVerdict& v) { return v.agent + " " + v.verdict.reason; }

DsRoundOutcome unanimous(const std::vector<DsAddressVerdict>& verdicts) {
  auto all = [&](DsPresence p) {
    return std::all_of(verdicts.begin(), verdicts.end(),
                       [p](const DsAddressVerdict& v) { return v.verdict.presence == p; });
  };
  if (verdicts.empty()) return DsRoundOutcome::undecided;
  if (all(DsPresence::has)) return DsRoundOutcome::published;
  if (all(DsPresence::lacks)) return DsRoundOutcome::withdrawn;
  return DsRoundOutcome::undecided;
}

std::string round_reason(uint16_t key_tag, DsWant want, const DsRound& round) {
  const size_t total = round.verdicts.size();
  const std::string addresses = std::to_string(total) + " parental-agent address" + (total == 1 ? "" : "es");
  if (total == 0) return "no parental-agent addresses to ask for the DS of " + key_text(key_tag);
  const bool published = want == DsWant::published;
  if (round.outcome == (published ? DsRoundOutcome::published : DsRoundOutcome::withdrawn)) {
    return "DS of " + key_text(key_tag) + (published ? " published" : " withdrawn") + " at all " + addresses;
  }
  const DsPresence target = published ? DsPresence::has : DsPresence::lacks;
  std::string list;
  size_t blocking = 0;
  for (const DsAddressVerdict& v : round.verdicts) {
    if (v.verdict.presence == target) continue;
    list += (blocking++ == 0 ? "" : ", ") + describe(v);
  }
  return std::string(published ? "waiting for DS of " : "waiting for the withdrawal of the DS of ") +
         key_text(key_tag) + " at " + std::to_string(blocking) + " of " + addresses + ": " + list;
}

}  // namespace

DsRound aggregate_ds_round(uint16_t key_tag, DsWant want, std::vector<DsAddressVerdict> verdicts) {
  DsRound round;
  round.outcome = unanimous(verdicts);
  for (const DsAddressVerdict& v : verdicts) {
    if (v.verdict.ttl) round.ds_ttl = std::max(round.ds_ttl.value_or(0), *v.verdict.ttl);
  }
  round.verdicts = std::move(verdicts);
  round.reason = round_reason(key_tag, want, round);
  return round;
}

const char* to_string(DsPresence presence) noexcept {
  switch (presence) {
    case DsPresence::has: return "has";
    case DsPresence::lacks: return "lacks";
    case DsPresence::unknown: return "unknown";
  }
  return "unknown";
}

const char* to_string(DsRoundOutcome outcome) noexcept {
  switch (outcome) {
    case DsRoundOutcome::published: return "published";
    case DsRoundOutcome::withdrawn: return "withdrawn";
    case DsRoundOutcome::undecided: return "undecided";
  }
  return "undecided";
}

}  // namespace signerd::xfr
