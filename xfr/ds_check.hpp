// xfr/ds_check.hpp — does the parent publish a key's DS? The pure protocol
// logic of signerd's DS check against parental agents (shared/KASP.md 4.5).
//
// Owns: the verdict for one agent address from its answer to "<zone> DS"
// (HAS, LACKS or UNKNOWN with a reason, and the DS TTL seen), and the
// aggregation of one round over every address (PUBLISHED only when every
// address has the DS, WITHDRAWN only when every address lacks it; one
// UNKNOWN blocks a verdict). Does not own: sockets, timeouts and TSIG
// signing (ds_query.hpp), computing the expected DS from the DNSKEY (the
// caller: dnssec::make_ds_rdata), DNSSEC validation of the answer (not
// built yet: without TSIG an answer is UNKNOWN unless the caller says
// accept_unauthenticated), or what an observation changes (policy/).
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"

namespace signerd::xfr {

using base::Result;

// The DS RDATA one key may have at the parent: one per digest type the
// caller computed (SHA-256 (2), SHA-384 (4)), all with the key's tag and
// algorithm. A DS matches when its RDATA equals one of them, that is key
// tag, algorithm, digest type and the recomputed digest (RFC 4034
// section 5.1.4) all agree.
class DsExpectation {
 public:
  // Errors: invalid_argument (no DS, a DS shorter than tag, algorithm,
  // digest type and one digest octet, or DS of different keys), naming
  // the zone.
  static Result<DsExpectation> create(dns::Name zone, std::vector<dns::Rdata> expected_ds);

  const dns::Name& zone() const noexcept { return zone_; }
  uint16_t key_tag() const noexcept { return key_tag_; }
  uint8_t algorithm() const noexcept { return algorithm_; }
  const std::vector<dns::Rdata>& expected() const noexcept { return expected_; }

 private:
  DsExpectation(dns::Name zone, std::vector<dns::Rdata> expected, uint16_t tag, uint8_t algorithm)
      : zone_(std::move(zone)), expected_(std::move(expected)), key_tag_(tag), algorithm_(algorithm) {}

  dns::Name zone_;
  std::vector<dns::Rdata> expected_;
  uint16_t key_tag_;
  uint8_t algorithm_;
};

// How the answer was authenticated (the query's TsigClient decided).
struct DsTsigCheck {
  enum class Outcome : uint8_t {
    no_key,    // the agent has no TSIG key: the answer is not authenticated
    verified,  // signed by the agent's key and verified (RFC 8945 section 5.3)
    failed,    // `detail` says why (BADSIG, unsigned answer, server says BADKEY…)
  };
  Outcome outcome = Outcome::no_key;
  std::string detail;
};

enum class DsPresence : uint8_t { has, lacks, unknown };

// One address's verdict. `reason` reads after the address ("lacks it",
// "timed out after 2 attempts", "answered SERVFAIL"). `ttl` is the DS
// RRset's TTL when the answer held one: the RRSIG's original TTL when a
// signature over the DS came back (RFC 4034 section 3.1.4; a validator
// caps the TTL there, RFC 4035 section 5.3.3), else the answer's TTL.
struct DsVerdict {
  DsPresence presence = DsPresence::unknown;
  std::string reason;
  std::optional<uint32_t> ttl;
};

inline constexpr const char* kDsNotAuthenticated =
    "answer not authenticated (no TSIG key; DNSSEC validation of DS answers is not built yet)";

// The verdict for the parsed answer `answer` to our "<zone> DS IN" query.
// UNKNOWN unless: the TSIG check verified (or no key and
// `accept_unauthenticated`, for tests and labs only); QR, opcode QUERY,
// the question is the zone's DS; not truncated; AA set (an authoritative
// agent; RFC 1035 section 4.1.1); RCODE NOERROR or NXDOMAIN. Then HAS when
// a DS owned by the zone matches, LACKS when the DS RRset does not hold it
// or the answer is an authoritative denial (NODATA or NXDOMAIN with the
// parent's SOA: RFC 2308 section 2). UNKNOWN also when a DS with the key's
// tag and algorithm uses a digest type the caller did not compute (it may
// be this key's), and for a denial from the child's own apex (a server
// for the child only answers from the child zone: RFC 4035 section
// 3.1.4.1).
DsVerdict ds_verdict(const DsExpectation& expected, const dns::Message& answer, const DsTsigCheck& tsig,
                     bool accept_unauthenticated);

// The same from wire bytes: anything that does not parse is UNKNOWN.
DsVerdict ds_verdict_from_wire(const DsExpectation& expected, std::span<const uint8_t> wire,
                               const DsTsigCheck& tsig, bool accept_unauthenticated);

// An agent address that gave no usable answer (timeout, socket error).
DsVerdict ds_unknown(std::string reason);

// What the caller waits for; it only words the round's reason.
enum class DsWant : uint8_t { published, withdrawn };

enum class DsRoundOutcome : uint8_t { published, withdrawn, undecided };

struct DsAddressVerdict {
  std::string agent;  // "192.0.2.1@53"
  DsVerdict verdict;
};

struct DsRound {
  DsRoundOutcome outcome = DsRoundOutcome::undecided;
  std::vector<DsAddressVerdict> verdicts;  // in the order given
  std::optional<uint32_t> ds_ttl;          // the largest TTL seen, over all addresses
  // "waiting for DS of key 12345 at 2 of 3 parental-agent addresses:
  // 192.0.2.1@53 lacks it, 192.0.2.2@53 timed out after 2 attempts"
  std::string reason;
};

// Unanimity per address (KASP.md 4.4): PUBLISHED when every verdict is
// HAS, WITHDRAWN when every one is LACKS, else UNDECIDED; no address at all
// is UNDECIDED. The outcome does not depend on `want`; the reason names
// the addresses that keep `want` from being reached.
DsRound aggregate_ds_round(uint16_t key_tag, DsWant want, std::vector<DsAddressVerdict> verdicts);

const char* to_string(DsPresence presence) noexcept;     // "has", "lacks", "unknown"
const char* to_string(DsRoundOutcome outcome) noexcept;  // "published", "withdrawn", "undecided"

}  // namespace signerd::xfr
