// xfr/soa_query.hpp — asking a primary for its SOA serial (RFC 1034
// section 4.3.5's refresh check) over UDP, and over TCP when truncated.
//
// Owns: the query, its checks (ID, question, QR, AA, RCODE, the SOA owned
// by the zone) and TSIG on both. Does not own: the refresh timers or what
// a newer serial triggers (the zone's scheduler).
#pragma once

#include <chrono>
#include <cstdint>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "xfr/asio.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

// The primary's SOA serial for `zone` (class IN). A datagram from another
// address is ignored. `timeout` bounds each of the UDP and TCP exchanges.
// Errors, naming the zone and the primary: io (timeout, socket errors),
// malformed (wrong ID or question, no QR or AA, RCODE other than NOERROR,
// no SOA for the zone in the answer, a TSIG failure).
asio::awaitable<Result<uint32_t>> query_soa_serial(asio::ip::udp::endpoint primary, dns::Name zone,
                                                   const TsigKey* key, std::chrono::milliseconds timeout,
                                                   const base::Clock& clock);

}  // namespace signerd::xfr
