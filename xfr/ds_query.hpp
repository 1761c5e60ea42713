// xfr/ds_query.hpp — asking parental agents for a child zone's DS RRset,
// the I/O half of the DS check (shared/KASP.md 4.5; the logic is
// ds_check.hpp).
//
// Owns: the DS query (RD clear, for an authoritative agent; EDNS0 with DO so
// that RRSIGs come back: RFC 3225, RFC 4035 section 3.2.1), TSIG on it and
// its answer (RFC 8945), UDP with TCP when truncated (RFC 7766 section 5)
// or when UDP timed out (the one retry), and one round over every agent
// address, queried concurrently. Does not own: which agents to ask (the
// caller resolves names to addresses), the expected DS (the caller computes
// it from the DNSKEY), retrying rounds, or DNSSEC validation of unsigned
// answers (not built: see ds_check.hpp).
//
// Thread-safety: coroutines on the caller's executor, which must not run
// them on two threads at once (a strand or a one-thread io_context: check_ds
// counts its queries without a lock). `clock` and the keys must outlive them.
#pragma once

#include <chrono>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "xfr/asio.hpp"
#include "xfr/ds_check.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

// An answer that matched the query (ID, QR, opcode, question), with what
// its TSIG check found; whether it says anything is ds_verdict's to judge.
struct DsResponse {
  dns::Message message;
  DsTsigCheck tsig;
  bool over_tcp = false;
};
using DsAnswer = Result<DsResponse>;

// Asks `agent` for "<zone> DS IN", signed with `key` when given. `timeout`
// bounds each exchange (UDP, then TCP). Datagrams from other addresses, or
// that do not parse or match the query, are ignored (RFC 5452 section 9.1)
// and named in the timeout's error. A TSIG failure is not an error: it is
// in DsResponse::tsig. Errors (naming the zone and the agent): io (timed
// out, refused, socket errors), malformed (a TCP answer that does not parse
// or match), and build_query's.
asio::awaitable<DsAnswer> query_ds(asio::ip::udp::endpoint agent, dns::Name zone, const TsigKey* key,
                                   std::chrono::milliseconds timeout, const base::Clock& clock);

// One parental-agent address and the key it signs with (null: none).
struct DsAgent {
  asio::ip::udp::endpoint address;
  const TsigKey* key = nullptr;
};

struct DsCheckOptions {
  DsWant want = DsWant::published;          // words the round's reason
  std::chrono::milliseconds timeout{5000};  // per exchange (KASP.md 4.5)
  // Tests and labs only: judge answers from agents without a TSIG key as
  // if authenticated. Off, they are UNKNOWN until DS answers are validated.
  bool accept_unauthenticated = false;
};

// "192.0.2.1@53", "2001:db8::1@53".
std::string agent_label(const asio::ip::udp::endpoint& address);

// One round: every agent address queried at once, each answer judged
// (ds_verdict), the verdicts aggregated (aggregate_ds_round) in the order of
// `agents`. Never fails: an unusable `expected_ds` (DsExpectation::create's
// errors) is an UNDECIDED round with that error as its reason and no
// verdicts.
asio::awaitable<DsRound> check_ds(std::vector<DsAgent> agents, dns::Name zone,
                                  std::vector<dns::Rdata> expected_ds, DsCheckOptions options,
                                  const base::Clock& clock);

}  // namespace signerd::xfr
