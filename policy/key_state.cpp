#include "policy/key_state.hpp"

#include "base/text.hpp"

namespace signerd::policy {
namespace {

template <class Enum, size_t N, class NameOf>
std::optional<Enum> from_text(std::string_view text, const std::array<Enum, N>& all,
                              NameOf name_of) noexcept {
  for (Enum e : all) {
    if (base::iequals(text, name_of(e))) return e;
  }
  return std::nullopt;
}

constexpr bool out(RecordState s) noexcept {
  return s == RecordState::rumoured || s == RecordState::omnipresent;
}

}  // namespace

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::ksk: return "ksk";
    case Role::zsk: return "zsk";
    case Role::csk: return "csk";
  }
  return "csk";
}

std::optional<Role> role_from_text(std::string_view text) noexcept {
  return from_text(text, std::array{Role::ksk, Role::zsk, Role::csk}, role_name);
}

std::string_view record_name(Record record) noexcept {
  switch (record) {
    case Record::dnskey: return "dnskey";
    case Record::krrsig: return "krrsig";
    case Record::zrrsig: return "zrrsig";
    case Record::ds: return "ds";
  }
  return "dnskey";
}

std::string_view state_name(RecordState state) noexcept {
  switch (state) {
    case RecordState::hidden: return "hidden";
    case RecordState::rumoured: return "rumoured";
    case RecordState::omnipresent: return "omnipresent";
    case RecordState::unretentive: return "unretentive";
  }
  return "hidden";
}

std::optional<RecordState> state_from_text(std::string_view text) noexcept {
  return from_text(text,
                   std::array{RecordState::hidden, RecordState::rumoured, RecordState::omnipresent,
                              RecordState::unretentive},
                   state_name);
}

std::string_view goal_name(Goal goal) noexcept { return goal == Goal::hidden ? "hidden" : "omnipresent"; }

std::optional<Goal> goal_from_text(std::string_view text) noexcept {
  return from_text(text, std::array{Goal::hidden, Goal::omnipresent}, goal_name);
}

KeyLifecycle in_use_since(Role role, TimePoint when) {
  KeyLifecycle key;
  key.goal = Goal::omnipresent;
  for (Record r : kAllRecords) {
    if (has_record(role, r) && r != Record::ds) key.set(r, RecordState::omnipresent, when);
  }
  key.planned.publish = when;
  key.planned.active = when;
  return key;
}

Publication publication(Role role, const KeyLifecycle& key) noexcept {
  Publication p;
  p.dnskey = out(key.state(Record::dnskey));
  p.signs_dnskey = has_record(role, Record::krrsig) && out(key.state(Record::krrsig));
  p.signs_zone = has_record(role, Record::zrrsig) && out(key.state(Record::zrrsig));
  p.cds = has_record(role, Record::ds) && out(key.state(Record::ds));
  return p;
}

std::string_view summary(Role role, const KeyLifecycle& key) noexcept {
  bool all_hidden = true;
  for (Record r : kAllRecords) all_hidden = all_hidden && key.state(r) == RecordState::hidden;
  if (all_hidden) return key.goal == Goal::hidden ? "removed" : "generated";
  if (key.goal == Goal::hidden) return "retired";
  const Publication p = publication(role, key);
  if (p.signs_dnskey || p.signs_zone) return "active";
  return p.dnskey ? "published" : "generated";
}

}  // namespace signerd::policy
