// xfr/query_answer.hpp — what the authoritative side answers to one request.
//
// Owns: the pure decision from request bytes to response bytes: FORMERR
// and drop rules, TSIG checks (RFC 8945), EDNS (RFC 6891), the few
// authoritative answers a hidden primary gives (SOA, and DNSKEY, NS, CDS,
// CDNSKEY at the apex), NOTIFY in (RFC 1996), and the start of AXFR
// (RFC 5936) and IXFR (RFC 1995) out, whose messages come one at a time
// from Response::next() so that a large zone is never held as wire.
// Does not own: sockets, framing, timeouts, counters (xfr/auth_server),
// zone state or ACLs (ZoneCatalog).
//
// Thread-safety: answer_query() reads the catalog (which is thread-safe)
// and the keyring (immutable). A Response belongs to one thread; it holds
// the zone snapshot it answers from and points into the keyring, which
// must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/clock.hpp"
#include "dns/message.hpp"
#include "xfr/asio.hpp"
#include "xfr/tsig.hpp"
#include "xfr/xfr_out_source.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd::xfr {

enum class Transport : uint8_t { udp, tcp };

struct QueryRequest {
  std::span<const uint8_t> wire;
  Transport transport = Transport::udp;
  asio::ip::address peer;
  // Our EDNS payload size: the most we send over UDP to an EDNS client.
  uint16_t max_udp_payload = 1232;
};

// What kind of request it was, for the server's counters.
enum class RequestKind : uint8_t {
  dropped,  // nothing is sent: no header, or a response (QR set)
  query,    // a QUERY, including transfers that were refused
  notify,
  axfr,   // a transfer out that was allowed (an IXFR answered in AXFR form too)
  ixfr,   // an incremental (or single-SOA) IXFR answer
  other,  // other opcodes, FORMERR, TSIG failures: see rcode() and tsig_failed()
};

// The answer to one request: zero messages (dropped), one, or the many
// messages of a zone transfer.
class Response {
 public:
  Response();
  Response(Response&&) noexcept;
  Response& operator=(Response&&) noexcept;
  ~Response();

  RequestKind kind() const noexcept { return kind_; }
  uint16_t rcode() const noexcept { return rcode_; }
  bool tsig_failed() const noexcept { return tsig_failed_; }

  // The next message to send, or nullopt when the answer is complete.
  // `now` times the TSIG of each message. A transfer whose message cannot
  // be signed ends early (nullopt); the peer sees a short transfer.
  std::optional<std::vector<uint8_t>> next(base::TimePoint now);

 private:
  friend Response answer_query(ZoneCatalog&, const TsigKeyring&, const QueryRequest&, base::TimePoint);
  friend struct ResponseAccess;

  RequestKind kind_ = RequestKind::dropped;
  uint16_t rcode_ = 0;
  bool tsig_failed_ = false;
  std::optional<std::vector<uint8_t>> single_;
  // Transfer state: the snapshot the records come from, the question and
  // header every message repeats, the TSIG signer, a record held over.
  std::shared_ptr<const ServedZone> zone_;
  std::unique_ptr<RecordSource> source_;
  dns::Header header_;
  std::optional<dns::Question> question_;
  std::optional<dns::Edns> edns_;
  std::optional<TsigResponder> signer_;
  std::optional<dns::Record> held_;
  bool first_message_ = true;
};

// Turns one request into its response. Never fails: hostile bytes give
// FORMERR (when a header can be read) or nothing. `catalog.on_notify` is
// called for a NOTIFY whose TSIG (if any) verified.
Response answer_query(ZoneCatalog& catalog, const TsigKeyring& keyring, const QueryRequest& request,
                      base::TimePoint now);

// Every message of the response, for tests and the fuzz target.
std::vector<std::vector<uint8_t>> answer_all(ZoneCatalog& catalog, const TsigKeyring& keyring,
                                             const QueryRequest& request, base::TimePoint now);

}  // namespace signerd::xfr
