// xfr/ixfr_parser.hpp — the answer stream of a zone transfer, as a pure
// state machine fed one record at a time.
//
// Owns: telling AXFR (RFC 5936 section 2.2: SOA, the zone, the same SOA)
// from incremental IXFR (RFC 1995 section 4: new SOA, then per step old SOA,
// removed RRs, new SOA, added RRs, and the new SOA again) and from the
// one-SOA "up to date" answer; building the zone (dns::ZoneBuilder, fed as
// records arrive) or the per-step diffs; checking every record (in the zone,
// the zone's class, SOA at the apex, serials that chain); dropping the DNSSEC
// types the signer owns (dns::is_signer_owned_type; DS is kept).
// Does not own: sockets, message headers, TSIG, byte limits (transfer_in).
//
// Thread-safety: one parser per transfer, single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/message.hpp"
#include "dns/soa.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"

namespace signerd::xfr {

using base::Result;

struct TransferResult {
  enum class Kind : uint8_t { axfr, ixfr, up_to_date };
  Kind kind = Kind::axfr;
  std::shared_ptr<const dns::ZoneVersion> full;  // AXFR, or an AXFR-style answer to IXFR
  std::vector<dns::ZoneDiff> diffs;              // IXFR: one per serial step, oldest first
  uint32_t serial = 0;                           // the primary's serial
  size_t dropped_dnssec = 0;                     // upstream DNSSEC records left out
  size_t messages = 0;                           // messages read (the last attempt's, after an AXFR fallback)
  size_t records = 0;                            // answer records received, SOAs and dropped ones included
  size_t bytes = 0;                              // octets read, length prefixes included
};

// The serial field of SOA RDATA (uncompressed wire); nullopt when malformed.
using dns::soa_serial;

class IxfrParser {
 public:
  // `ixfr_from`: the client's serial when it asked IXFR; nullopt for AXFR.
  // `max_records` counts every answer record, dropped ones included.
  IxfrParser(dns::Name zone, dns::RRClass rclass, std::optional<uint32_t> ixfr_from, size_t max_records);

  // One answer record, in stream order. Errors: malformed (a record outside
  // the zone or of another class, a first record that is not the zone's SOA,
  // a closing SOA that differs from the opening one, steps that do not
  // chain, records after the end), out_of_range (more than max_records),
  // and ZoneBuilder's errors.
  Result<void> feed(const dns::Record& record);

  // Called after each message. An IXFR answer whose first message holds
  // only an SOA not newer than ixfr_from is complete ("up to date").
  void end_of_message();

  // True once the stream is complete: no more records may follow.
  bool done() const noexcept { return state_ == State::done; }

  // The result (messages and bytes left zero for the caller). Errors:
  // malformed when not done() ("no closing SOA"), ZoneBuilder::finish()'s.
  Result<TransferResult> finish() &&;

 private:
  enum class State : uint8_t { first, second, axfr, removing, adding, done };
  Result<void> check(const dns::Record& record) const;
  Result<void> start_step(uint32_t from_serial, const dns::Record& soa);
  Result<void> feed_ixfr_soa(const dns::Record& soa, uint32_t serial);
  void append(std::vector<dns::RRset>& section, const dns::Record& record);

  dns::Name zone_;
  dns::RRClass rclass_;
  std::optional<uint32_t> ixfr_from_;
  size_t max_records_;
  State state_ = State::first;
  TransferResult::Kind kind_ = TransferResult::Kind::axfr;
  uint32_t new_serial_ = 0;
  std::optional<dns::Record> first_soa_;
  std::unique_ptr<dns::ZoneBuilder> builder_;
  std::vector<dns::ZoneDiff> diffs_;
  size_t records_ = 0;
  size_t dropped_ = 0;
};

}  // namespace signerd::xfr
