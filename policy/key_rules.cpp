#include "policy/key_rules.hpp"

#include <algorithm>

namespace signerd::policy {
namespace {

using RS = RecordState;

// What a pattern asks of one record: any state, or exactly one ("hidden"
// also matches a record the role lacks: BIND's keymgr_key_match_state).
enum class Want : uint8_t { any, H, R, O, U };

constexpr Want want_of(RecordState s) noexcept {
  switch (s) {
    case RS::hidden: return Want::H;
    case RS::rumoured: return Want::R;
    case RS::omnipresent: return Want::O;
    case RS::unretentive: return Want::U;
  }
  return Want::any;
}

// A 4-vector over (DNSKEY, KRRSIG, ZRRSIG, DS), the order of Record.
struct Pattern {
  Want dnskey = Want::any, krrsig = Want::any, zrrsig = Want::any, ds = Want::any;

  constexpr Want of(Record r) const noexcept {
    switch (r) {
      case Record::dnskey: return dnskey;
      case Record::krrsig: return krrsig;
      case Record::zrrsig: return zrrsig;
      case Record::ds: return ds;
    }
    return Want::any;
  }
  friend constexpr bool operator==(const Pattern&, const Pattern&) = default;
};

// The table's letters (KASP.md section 1.2); no pattern of rules 1-3 asks for H.
constexpr Want A = Want::any, R = Want::R, O = Want::O, U = Want::U;

// How an equation is evaluated over the key set.
enum class Form : uint8_t {
  exists,                    // some key (of the algorithm, if same_algorithm) matches `first`
  successor_pair,            // a key matches `first`, another matches `second` and succeeds it
  any_key_when_insecure,     // rule 1's S2I clause: the policy is going insecure and a key exists
  ds_hidden_or_chained,      // (3e)
  all_ds_hidden,             // (3a'): no DS of the algorithm, signatures irrelevant
  dnskey_hidden_or_chained,  // (3i)
};

struct Equation {
  std::string_view name;
  SafetyRule rule;
  Form form;
  Pattern first{}, second{};
  bool same_algorithm = true;
};

// KASP.md 1.3; pattern vectors are BIND keymgr.c's keymgr_have_ds,
// keymgr_have_dnskey and keymgr_have_rrsig, written (D, K, Z, S).
constexpr Equation kEquations[] = {
    {"3a", SafetyRule::ds_exists, Form::exists, {A, A, A, O}, {}, false},
    {"3a", SafetyRule::ds_exists, Form::exists, {A, A, A, R}, {}, false},
    {"S2I", SafetyRule::ds_exists, Form::any_key_when_insecure, {}, {}, false},
    {"3b", SafetyRule::dnskey_chained, Form::exists, {O, O, A, O}},
    {"3c", SafetyRule::dnskey_chained, Form::successor_pair, {O, O, A, U}, {O, O, A, R}},
    // (3d): DNSKEY and KRRSIG move independently, so every combination of
    // predecessor (D,K) in {(U,U),(O,U),(U,O)} and successor (D,K) in
    // {(R,R),(O,R),(R,O)}, both under an omnipresent DS.
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, U, A, O}, {R, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, U, A, O}, {O, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, U, A, O}, {R, O, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {O, U, A, O}, {R, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {O, U, A, O}, {O, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {O, U, A, O}, {R, O, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, O, A, O}, {R, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, O, A, O}, {O, R, A, O}},
    {"3d", SafetyRule::dnskey_chained, Form::successor_pair, {U, O, A, O}, {R, O, A, O}},
    {"3e", SafetyRule::dnskey_chained, Form::ds_hidden_or_chained},
    {"3a'", SafetyRule::rrsigs_chained, Form::all_ds_hidden},
    {"3f", SafetyRule::rrsigs_chained, Form::exists, {O, A, O, A}},
    {"3g", SafetyRule::rrsigs_chained, Form::successor_pair, {U, A, O, A}, {R, A, O, A}},
    {"3h", SafetyRule::rrsigs_chained, Form::successor_pair, {O, A, U, A}, {O, A, R, A}},
    {"3i", SafetyRule::rrsigs_chained, Form::dnskey_hidden_or_chained},
};

constexpr size_t count_named(std::string_view name) {
  size_t n = 0;
  for (const auto& e : kEquations) n += e.name == name ? 1 : 0;
  return n;
}
constexpr bool grouped_by_rule() {
  for (size_t i = 1; i < std::size(kEquations); ++i) {
    if (kEquations[i].rule < kEquations[i - 1].rule) return false;
  }
  return true;
}
constexpr bool pairs_are_distinct() {
  for (const auto& e : kEquations) {
    if (e.form == Form::successor_pair && e.first == e.second) return false;
  }
  return true;
}
constexpr bool rule1_spans_algorithms() {
  for (const auto& e : kEquations) {
    if ((e.rule == SafetyRule::ds_exists) == e.same_algorithm) return false;
  }
  return true;
}
static_assert(grouped_by_rule(), "equations are listed rule by rule");
static_assert(count_named("3d") == 9, "3d is every (D,K) combination, 3 x 3");
static_assert(pairs_are_distinct(), "a swap has a predecessor and a successor pattern that differ");
static_assert(rule1_spans_algorithms(), "rule 1 looks at all algorithms, rules 2 and 3 at the subject's");
static_assert(kEquations[0].first.ds == O && kEquations[1].first.ds == R,
              "(3a): a DS omnipresent or rumoured");

bool matches(const KeySetView& view, size_t i, const Pattern& p) noexcept {
  for (Record r : kAllRecords) {
    const Want w = p.of(r);
    if (w != Want::any && want_of(view.state(i, r)) != w) return false;
  }
  return true;
}

bool of_algorithm(const KeySetView& view, size_t i, uint8_t algorithm, bool same) noexcept {
  return !same || view.keys()[i].algorithm == algorithm;
}

bool exists(const KeySetView& view, uint8_t algorithm, const Pattern& p, bool same = true) noexcept {
  for (size_t i = 0; i < view.keys().size(); ++i) {
    if (of_algorithm(view, i, algorithm, same) && matches(view, i, p)) return true;
  }
  return false;
}

// BIND searches the successor among all keys; only the predecessor is
// filtered by algorithm (the links never cross algorithms in practice).
bool successor_pair(const KeySetView& view, uint8_t algorithm, const Pattern& p, const Pattern& s) noexcept {
  const size_t n = view.keys().size();
  for (size_t x = 0; x < n; ++x) {
    if (!of_algorithm(view, x, algorithm, true) || !matches(view, x, p)) continue;
    for (size_t z = 0; z < n; ++z) {
      if (z != x && matches(view, z, s) && is_successor(view, x, z)) return true;
    }
  }
  return false;
}

// (3e), and with must_be_hidden (3a'): every DS of the algorithm hidden, or
// each one that is not belongs to a key whose DNSKEY and KRRSIG are
// omnipresent, or some key provides that chain with an omnipresent DS.
bool ds_hidden_or_chained(const KeySetView& view, uint8_t algorithm, bool must_be_hidden) noexcept {
  for (size_t d = 0; d < view.keys().size(); ++d) {
    if (view.keys()[d].algorithm != algorithm || view.state(d, Record::ds) == RS::hidden) continue;
    if (must_be_hidden) return false;
    if (matches(view, d, {O, O, A, A})) continue;
    if (!exists(view, algorithm, {O, O, A, O})) return false;
  }
  return true;
}

// (3i): every published DNSKEY of the algorithm has a key with omnipresent
// signatures beside it in the same state. The state looked for is the
// stored one, as BIND does: a DNSKEY being withdrawn still needs a key whose
// DNSKEY is where it was and whose signatures are everywhere.
bool dnskey_hidden_or_chained(const KeySetView& view, uint8_t algorithm) noexcept {
  for (size_t d = 0; d < view.keys().size(); ++d) {
    if (view.keys()[d].algorithm != algorithm || view.state(d, Record::dnskey) == RS::hidden) continue;
    const Pattern chained{want_of(view.stored_state(d, Record::dnskey)), A, O, A};
    if (!exists(view, algorithm, chained)) return false;
  }
  return true;
}

bool equation_holds(const Equation& e, const KeySetView& view, uint8_t algorithm,
                    const RuleContext& context) {
  switch (e.form) {
    case Form::exists: return exists(view, algorithm, e.first, e.same_algorithm);
    case Form::successor_pair: return successor_pair(view, algorithm, e.first, e.second);
    case Form::any_key_when_insecure: return context.going_insecure && !view.keys().empty();
    case Form::ds_hidden_or_chained: return ds_hidden_or_chained(view, algorithm, false);
    case Form::all_ds_hidden: return ds_hidden_or_chained(view, algorithm, true);
    case Form::dnskey_hidden_or_chained: return dnskey_hidden_or_chained(view, algorithm);
  }
  return false;
}

bool all_hidden(const KeySetView& view, size_t i) noexcept {
  return std::all_of(kAllRecords.begin(), kAllRecords.end(),
                     [&](Record r) { return view.stored_state(i, r) == RS::hidden; });
}

size_t rule_index(SafetyRule rule) noexcept { return static_cast<size_t>(rule) - 1; }

}  // namespace

RecordState desired_state(Goal goal, RecordState state) noexcept {
  // Rows: goal (hidden, omnipresent); columns: state (H, R, O, U).
  static constexpr RecordState kDesired[2][4] = {
      {RS::hidden, RS::unretentive, RS::unretentive, RS::hidden},
      {RS::rumoured, RS::omnipresent, RS::omnipresent, RS::rumoured},
  };
  static_assert(kDesired[0][0] == RS::hidden && kDesired[1][2] == RS::omnipresent, "the stable states");
  static_assert(kDesired[1][3] == RS::rumoured && kDesired[0][1] == RS::unretentive, "R <-> U reversals");
  return kDesired[static_cast<size_t>(goal)][static_cast<size_t>(state)];
}

KeySetView KeySetView::with_next(const ZoneKey& subject, Record record, RecordState next) const noexcept {
  KeySetView v(keys_);
  v.subject_id_ = subject.id;
  v.subject_algorithm_ = subject.algorithm;
  v.record_ = record;
  v.next_ = next;
  return v;
}

RecordState KeySetView::stored_state(size_t i, Record record) const noexcept {
  const ZoneKey& k = keys_[i];
  return has_record(k.role, record) ? k.life.state(record) : RS::hidden;
}

RecordState KeySetView::state(size_t i, Record record) const noexcept {
  const ZoneKey& k = keys_[i];
  if (subject_id_ && record == record_ && k.id == *subject_id_ && k.algorithm == subject_algorithm_ &&
      has_record(k.role, record)) {
    return next_;
  }
  return stored_state(i, record);
}

std::optional<size_t> dependency_of(const KeySetView& view, size_t k) noexcept {
  const auto keys = view.keys();
  for (size_t d = 0; d < keys.size(); ++d) {
    if (keys[d].life.successor == keys[k].id && keys[k].life.predecessor == keys[d].id &&
        !all_hidden(view, d)) {
      return d;
    }
  }
  return std::nullopt;
}

bool is_successor(const KeySetView& view, size_t x, size_t z) noexcept {
  // Each step follows a predecessor link, so a chain longer than the key
  // set is a cycle in corrupt links.
  for (size_t steps = 0; steps <= view.keys().size(); ++steps) {
    if (dependency_of(view, x)) return false;  // something still relies on x
    const auto dep_z = dependency_of(view, z);
    if (!dep_z) return false;
    if (*dep_z == x) return true;
    // y = dep_z was itself replaced by z before its introduction finished:
    // if y stands where z stands, z succeeds x when y does.
    const size_t y = *dep_z;
    if (y == z) return false;
    for (Record r : kAllRecords) {
      if (view.state(y, r) != view.stored_state(z, r)) return false;
    }
    z = y;
  }
  return false;
}

std::string_view rule_summary(SafetyRule rule) noexcept {
  switch (rule) {
    case SafetyRule::ds_exists: return "a DS exists";
    case SafetyRule::dnskey_chained: return "a DNSKEY with a chain from the DS exists";
    case SafetyRule::rrsigs_chained: return "every RRset has a valid signature path";
  }
  return "";
}

std::string_view holding_equation(SafetyRule rule, const KeySetView& view, uint8_t algorithm,
                                  const RuleContext& context) {
  for (const auto& e : kEquations) {
    if (e.rule == rule && equation_holds(e, view, algorithm, context)) return e.name;
  }
  return {};
}

bool rule_holds(SafetyRule rule, const KeySetView& view, uint8_t algorithm, const RuleContext& context) {
  if (!context.enforce[rule_index(rule)]) return true;
  return !holding_equation(rule, view, algorithm, context).empty();
}

TransitionCheck check_transition(std::span<const ZoneKey> keys, size_t subject, Record record,
                                 RecordState next, const RuleContext& context) {
  const KeySetView before(keys);
  const KeySetView after = before.with_next(keys[subject], record, next);
  const uint8_t alg = keys[subject].algorithm;
  TransitionCheck out;
  out.allowed = true;
  for (SafetyRule rule : kSafetyRules) {
    const size_t i = rule_index(rule);
    out.before[i] = rule_holds(rule, before, alg, context);
    out.after[i] = rule_holds(rule, after, alg, context);
    // Eq. 1: never break a rule that holds. #5458: never withdraw while a
    // rule fails and would still fail.
    const bool breaks = out.before[i] && !out.after[i];
    const bool unsafe_withdrawal =
        context.withdraw_guard && !out.before[i] && !out.after[i] && next == RS::unretentive;
    if ((breaks || unsafe_withdrawal) && out.allowed) {
      out.allowed = false;
      out.blocking = rule;
    }
  }
  return out;
}

namespace {

// Gate conditions, evaluated with the subject's candidate state in place.
bool no_chain_yet(const KeySetView& view, uint8_t alg) {
  return !(exists(view, alg, {O, O, A, O}) || successor_pair(view, alg, {O, O, A, U}, {O, O, A, R}) ||
           successor_pair(view, alg, {U, A, A, O}, {R, A, A, O}));
}

bool other_algorithm(std::span<const ZoneKey> keys, uint8_t alg, bool (*pred)(const ZoneKey&)) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const ZoneKey& k) { return k.algorithm != alg && pred(k); });
}

bool in_use(const ZoneKey& k) { return k.life.goal == Goal::omnipresent; }
bool visible(const ZoneKey& k) {
  return std::any_of(kAllRecords.begin(), kAllRecords.end(),
                     [&](Record r) { return has_record(k.role, r) && k.life.state(r) != RS::hidden; });
}

// Conservative order applies only to an algorithm rollover: another
// algorithm is in the zone. First signing and going insecure keep BIND's order.
bool algorithm_arriving(std::span<const ZoneKey> keys, const KeySetView& view, size_t subject) {
  const ZoneKey& k = keys[subject];
  return in_use(k) && no_chain_yet(view, k.algorithm) && other_algorithm(keys, k.algorithm, visible);
}

bool algorithm_leaving(std::span<const ZoneKey> keys, size_t subject) {
  const ZoneKey& k = keys[subject];
  const bool same_alg_in_use = std::any_of(
      keys.begin(), keys.end(), [&](const ZoneKey& j) { return j.algorithm == k.algorithm && in_use(j); });
  return !in_use(k) && !same_alg_in_use && other_algorithm(keys, k.algorithm, in_use);
}

// KASP.md 1.4 and 1.8 as a table: a move of `record` to `to` needs
// `condition`, else the gate answers `refusal`. Moves not listed pass.
enum class Condition : uint8_t {
  new_algorithm_signed_first,      // conservative arrival: a same-alg key has Z = O (else: any order)
  own_dnskey_published,            // own D != H
  own_dnskey_or_no_chain,          // own D = O, or no chain of trust yet for the algorithm
  own_dnskey_and_krrsig_in_place,  // own D = O and K = O
  own_signatures_gone_or_no_ds,    // own Z = H, or no DS of the algorithm may be cached
  old_dnskey_gone_first,           // conservative departure: own D = H (else: any order)
};

struct GateRule {
  Record record;
  RecordState to;
  Condition condition;
  GateVerdict refusal;
};

constexpr GateRule kGate[] = {
    {Record::dnskey, RS::rumoured, Condition::new_algorithm_signed_first,
     GateVerdict::dnskey_waits_for_zrrsig},
    {Record::krrsig, RS::rumoured, Condition::own_dnskey_published, GateVerdict::krrsig_waits_for_dnskey},
    {Record::zrrsig, RS::rumoured, Condition::own_dnskey_or_no_chain, GateVerdict::zrrsig_waits_for_dnskey},
    {Record::ds, RS::rumoured, Condition::own_dnskey_and_krrsig_in_place, GateVerdict::ds_waits_for_dnskey},
    {Record::dnskey, RS::unretentive, Condition::own_signatures_gone_or_no_ds,
     GateVerdict::dnskey_waits_for_zrrsig_gone},
    {Record::zrrsig, RS::unretentive, Condition::old_dnskey_gone_first,
     GateVerdict::zrrsig_waits_for_dnskey_gone},
};

constexpr bool gate_rows_unique() {
  for (size_t i = 0; i < std::size(kGate); ++i) {
    for (size_t j = i + 1; j < std::size(kGate); ++j) {
      if (kGate[i].record == kGate[j].record && kGate[i].to == kGate[j].to) return false;
    }
  }
  return true;
}
constexpr bool gate_only_on_uncertain_moves() {
  for (const auto& g : kGate) {
    if (g.to != RS::rumoured && g.to != RS::unretentive) return false;
  }
  return true;
}
static_assert(gate_rows_unique(), "one gate row per (record, next state)");
static_assert(gate_only_on_uncertain_moves(), "->O and ->H are pure waits: the gate never holds them");
static_assert(std::size(kGate) == 6, "four moves to R (KASP.md 1.4), two moves to U (pre-publication, 1.8)");

bool ds_of_algorithm_hidden(const KeySetView& view, uint8_t alg) {
  return ds_hidden_or_chained(view, alg, true);
}

bool condition_holds(Condition c, std::span<const ZoneKey> keys, const KeySetView& view, size_t subject,
                     AlgorithmRollover order) {
  const ZoneKey& k = keys[subject];
  const RecordState d = view.stored_state(subject, Record::dnskey);
  const bool conservative = order == AlgorithmRollover::conservative;
  switch (c) {
    case Condition::new_algorithm_signed_first:
      return !conservative || !algorithm_arriving(keys, view, subject) ||
             exists(view, k.algorithm, {A, A, O, A});
    case Condition::own_dnskey_published: return d != RS::hidden;
    case Condition::own_dnskey_or_no_chain: return d == RS::omnipresent || no_chain_yet(view, k.algorithm);
    case Condition::own_dnskey_and_krrsig_in_place:
      // BIND asks D = O; signerd also asks K = O (KASP.md 4.1 a): a CDS is
      // offered only while the key's signature over it is everywhere.
      return d == RS::omnipresent && view.stored_state(subject, Record::krrsig) == RS::omnipresent;
    case Condition::own_signatures_gone_or_no_ds:
      // Pre-publication on the way out, beyond BIND: rule 3 is existential,
      // so a ZSK replaced before its signatures were omnipresent can hold
      // the only RRSIG of some cached RRset while a later swap pair
      // satisfies 3h (the random-policy simulation served bogus answers
      // so). evaluate no longer starts such a roll; this keeps the DNSKEY
      // anyway until its signatures are gone, whatever retired the key.
      return view.stored_state(subject, Record::zrrsig) == RS::hidden ||
             ds_of_algorithm_hidden(view, k.algorithm);
    case Condition::old_dnskey_gone_first:
      return !conservative || !algorithm_leaving(keys, subject) || d == RS::hidden;
  }
  return true;
}

}  // namespace

GateVerdict policy_gate(std::span<const ZoneKey> keys, size_t subject, Record record, RecordState next,
                        AlgorithmRollover order) {
  const KeySetView view = KeySetView(keys).with_next(keys[subject], record, next);
  for (const auto& g : kGate) {
    if (g.record == record && g.to == next) {
      return condition_holds(g.condition, keys, view, subject, order) ? GateVerdict::allowed : g.refusal;
    }
  }
  return GateVerdict::allowed;
}

std::string_view gate_reason(GateVerdict verdict) noexcept {
  switch (verdict) {
    case GateVerdict::allowed: return "allowed";
    case GateVerdict::krrsig_waits_for_dnskey: return "its KRRSIG waits for its DNSKEY to be published";
    case GateVerdict::zrrsig_waits_for_dnskey: return "pre-publication: its signatures wait for its DNSKEY";
    case GateVerdict::ds_waits_for_dnskey:
      return "Double-KSK: its DS waits for its DNSKEY and KRRSIG to be omnipresent";
    case GateVerdict::dnskey_waits_for_zrrsig:
      return "algorithm rollover (conservative): the DNSKEY waits for the new algorithm's signatures";
    case GateVerdict::zrrsig_waits_for_dnskey_gone:
      return "algorithm rollover (conservative): the signatures stay until the DNSKEY is hidden";
    case GateVerdict::dnskey_waits_for_zrrsig_gone:
      return "pre-publication: the DNSKEY stays until its signatures are hidden";
  }
  return "";
}

}  // namespace signerd::policy
