#include "dnssec/signing_rules.hpp"

#include <algorithm>
#include <span>

namespace signerd::dnssec {
namespace {

using dns::RRType;

// At a zone cut the parent holds the NS (not authoritative, but listed in
// the bitmap: RFC 4034 4.1.2), the DS and its own NSEC; it signs only the
// last two (RFC 4035 2.2). Anything else there (an address at the cut's
// own name) is glue.
constexpr RRType kCutListed[] = {RRType::NS, RRType::DS, RRType::NSEC};
constexpr RRType kCutSigned[] = {RRType::DS, RRType::NSEC};

// Which types a rule covers: all of them, or a list.
struct TypeScope {
  bool all;
  std::span<const RRType> only;

  constexpr bool contains(RRType t) const noexcept {
    return all || std::find(only.begin(), only.end(), t) != only.end();
  }
};

constexpr TypeScope kAll{true, {}};
constexpr TypeScope kNone{false, {}};

struct RoleRule {
  NodeRole role;
  TypeScope authoritative;
  TypeScope signed_types;
};

constexpr RoleRule kRules[] = {
    {NodeRole::apex, kAll, kAll},
    {NodeRole::authoritative, kAll, kAll},
    {NodeRole::delegation, {false, kCutListed}, {false, kCutSigned}},
    {NodeRole::occluded, kNone, kNone},
    {NodeRole::empty_non_terminal, kNone, kNone},
};

constexpr const RoleRule& rule_for(NodeRole role) noexcept { return kRules[static_cast<size_t>(role)]; }
static_assert(kRules[static_cast<size_t>(NodeRole::delegation)].role == NodeRole::delegation);
static_assert(kRules[static_cast<size_t>(NodeRole::empty_non_terminal)].role == NodeRole::empty_non_terminal);

}  // namespace

NodeRole role_of(dns::NodeView node) noexcept {
  if (node.is_occluded()) return NodeRole::occluded;
  if (node.is_apex()) return NodeRole::apex;
  if (node.is_delegation()) return NodeRole::delegation;
  if (node.is_empty_non_terminal()) return NodeRole::empty_non_terminal;
  return NodeRole::authoritative;
}

bool is_authoritative(NodeRole role, RRType type) noexcept {
  return rule_for(role).authoritative.contains(type);
}

bool is_signed(NodeRole role, RRType type) noexcept {
  // RFC 4034 section 3: RRSIG RRsets are never signed themselves.
  if (type == RRType::RRSIG) return false;
  return rule_for(role).signed_types.contains(type);
}

}  // namespace signerd::dnssec
