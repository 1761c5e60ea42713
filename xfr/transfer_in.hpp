// xfr/transfer_in.hpp — pulling a zone from its primary: AXFR (RFC 5936)
// and IXFR (RFC 1995) over TCP, with TSIG (RFC 8945) when a key is given.
//
// Owns: one transfer: connect, query, read the answer stream within the
// limits, check every message (ID, question, RCODE, TSIG), and hand the
// records to IxfrParser; falling back to AXFR when the primary refuses
// IXFR. Does not own: when to transfer (SOA refresh, NOTIFY), what to do
// with the result (signing, storing), or the stream's record rules
// (xfr/ixfr_parser).
//
// Thread-safety: the coroutine runs on one executor. Arguments are taken by
// value (a coroutine outlives its caller's temporaries) except the key and
// the clock, which must outlive the coroutine.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "xfr/asio.hpp"
#include "xfr/ixfr_parser.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

struct TransferLimits {
  size_t max_records = 10'000'000;  // answer records, dropped DNSSEC ones included
  size_t max_bytes = size_t{2} << 30;
  std::chrono::seconds idle_timeout{30};     // connect, and between two messages
  std::chrono::seconds total_timeout{3600};  // the whole transfer, IXFR fallback included
  size_t max_message = 65535;
};

// Transfers `zone` (class IN) from `primary`. With `current_soa` set (the
// SOA of the version we hold) it asks IXFR from that serial and returns:
// kind=ixfr with the diffs; kind=up_to_date when the primary answers with a
// single SOA not newer than ours; kind=axfr with the full zone when the
// primary answers AXFR-style or refuses IXFR (NOTIMP, REFUSED, FORMERR:
// then a second connection asks AXFR). Without it, AXFR.
// Upstream DNSSEC records (dns::is_signer_owned_type) are dropped and
// counted in dropped_dnssec.
// Errors (no partial result; each detail names the zone, the primary and
// the problem): malformed (wrong ID or question, an ID change mid-stream,
// RCODE other than NOERROR, missing or wrong closing SOA, out-of-zone or
// wrong-class records, TSIG failures), out_of_range (limits), io
// (connection refused or closed early, idle or total timeout).
asio::awaitable<Result<TransferResult>> transfer_in(asio::ip::tcp::endpoint primary, dns::Name zone,
                                                    std::optional<dns::RRset> current_soa, const TsigKey* key,
                                                    TransferLimits limits, const base::Clock& clock);

// "NOERROR", "SERVFAIL", … or the number.
std::string rcode_name(uint16_t rcode);

}  // namespace signerd::xfr
