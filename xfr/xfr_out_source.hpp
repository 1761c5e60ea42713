// xfr/xfr_out_source.hpp — the records of a zone transfer out, in order.
//
// Owns: the record sequence of an AXFR answer (RFC 5936 section 2.2: SOA,
// every other record, SOA) and of an incremental IXFR answer (RFC 1995
// section 4: new SOA, then per diff the old SOA, the removed records, the
// new SOA, the added records, and the new SOA again), yielded one record at
// a time. Does not own: packing records into messages, TSIG or choosing
// between the two forms (xfr/query_answer).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dns/message.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"

namespace signerd::xfr {

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next record, or nullopt after the last.
  virtual std::optional<dns::Record> next() = 0;
};

// Every record of `zone` between two copies of its SOA. `zone` must outlive
// the source (the caller holds the snapshot).
std::unique_ptr<RecordSource> make_axfr_source(const dns::ZoneVersion& zone);

// The diffs as one IXFR answer ending at `zone`'s serial; several diffs
// are condensed into one (RFC 1995 section 4). A diff without an SOA in a
// section gets the current SOA with the diff's serial put in. `zone` must
// outlive the source; the diffs are shared.
std::unique_ptr<RecordSource> make_ixfr_source(const dns::ZoneVersion& zone,
                                               std::span<const std::shared_ptr<const dns::ZoneDiff>> diffs);

// Consecutive diffs as one: RRs added then removed (or removed then added
// back, same TTL) cancel; the SOAs are the first diff's old and the last
// diff's new one.
dns::ZoneDiff condense_diffs(std::span<const std::shared_ptr<const dns::ZoneDiff>> diffs);

// The index of the journal diff that starts at `client_serial` when the
// chain from it is consecutive and ends at `current_serial`; nullopt
// otherwise (the caller answers in AXFR form).
std::optional<size_t> find_ixfr_start(std::span<const std::shared_ptr<const dns::ZoneDiff>> journal,
                                      uint32_t client_serial, uint32_t current_serial) noexcept;

// `soa_rdata` with its serial replaced; unchanged when it is malformed.
dns::Rdata with_serial(std::span<const uint8_t> soa_rdata, uint32_t serial);

}  // namespace signerd::xfr
