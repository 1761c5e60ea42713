#include "xfr/ixfr_parser.hpp"

#include <string>
#include <utility>

#include "dns/wire.hpp"
#include "xfr/serial.hpp"

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;

std::string describe(const dns::Record& r) { return r.owner.to_text() + " " + dns::to_text(r.type); }

}  // namespace

IxfrParser::IxfrParser(dns::Name zone, dns::RRClass rclass, std::optional<uint32_t> ixfr_from,
                       size_t max_records)
    : zone_(std::move(zone)), rclass_(rclass), ixfr_from_(ixfr_from), max_records_(max_records) {}

Result<void> IxfrParser::check(const dns::Record& r) const {
  std::string at = "record " + std::to_string(records_) + " (" + describe(r) + "): ";
  if (r.rclass != rclass_) return make_error(Errc::malformed, at + "class " + dns::to_text(r.rclass));
  if (!r.owner.is_subdomain_of(zone_)) return make_error(Errc::malformed, at + "outside the zone");
  if (dns::is_meta_type(r.type)) return make_error(Errc::malformed, at + "meta type in a transfer");
  if (r.type == dns::RRType::SOA) {
    if (r.owner != zone_) return make_error(Errc::malformed, at + "SOA below the apex");
    if (!soa_serial(r.rdata)) return make_error(Errc::malformed, at + "truncated SOA");
  }
  return base::ok();
}

Result<void> IxfrParser::feed(const dns::Record& r) {
  if (++records_ > max_records_) {
    return make_error(Errc::out_of_range, "more than " + std::to_string(max_records_) + " records");
  }
  if (state_ == State::done) {
    return make_error(Errc::malformed,
                      "record " + std::to_string(records_) + " (" + describe(r) + ") after the closing SOA");
  }
  SIGNERD_TRY(check(r));
  const bool is_soa = r.type == dns::RRType::SOA;
  const uint32_t serial = is_soa ? *soa_serial(r.rdata) : 0;
  switch (state_) {
    case State::first:
      if (!is_soa)
        return make_error(Errc::malformed, "first record is " + describe(r) + ", not the zone's SOA");
      new_serial_ = serial;
      first_soa_ = r;
      state_ = State::second;
      return base::ok();
    case State::second:
      if (is_soa && serial != new_serial_) {
        if (!ixfr_from_) {
          return make_error(Errc::malformed, "closing SOA serial " + std::to_string(serial) +
                                                 " differs from the opening " + std::to_string(new_serial_));
        }
        kind_ = TransferResult::Kind::ixfr;
        return start_step(serial, r);
      }
      builder_ = std::make_unique<dns::ZoneBuilder>(zone_, rclass_);
      SIGNERD_TRY(builder_->add(first_soa_->owner, first_soa_->type, first_soa_->rclass, first_soa_->ttl,
                                first_soa_->rdata));
      kind_ = TransferResult::Kind::axfr;
      state_ = State::axfr;
      [[fallthrough]];
    case State::axfr:
      if (is_soa) {
        if (serial != new_serial_ || r.rdata != first_soa_->rdata) {
          return make_error(Errc::malformed, "closing SOA (serial " + std::to_string(serial) +
                                                 ") differs from the opening one (serial " +
                                                 std::to_string(new_serial_) + ")");
        }
        state_ = State::done;
        return base::ok();
      }
      if (dns::is_signer_owned_type(r.type)) {
        ++dropped_;
        return base::ok();
      }
      return builder_->add(r.owner, r.type, r.rclass, r.ttl, r.rdata);
    case State::removing:
      if (is_soa) {
        diffs_.back().to = serial;
        append(diffs_.back().added, r);
        state_ = State::adding;
      } else {
        append(diffs_.back().removed, r);
      }
      return base::ok();
    case State::adding:
      if (is_soa) return feed_ixfr_soa(r, serial);
      append(diffs_.back().added, r);
      return base::ok();
    case State::done: break;
  }
  return make_error(Errc::internal, "IXFR parser state");
}

Result<void> IxfrParser::start_step(uint32_t from_serial, const dns::Record& soa) {
  uint32_t expected = diffs_.empty() ? *ixfr_from_ : diffs_.back().to;
  if (from_serial != expected) {
    return make_error(Errc::malformed, "IXFR step starts at serial " + std::to_string(from_serial) +
                                           ", expected " + std::to_string(expected));
  }
  diffs_.push_back(dns::ZoneDiff{from_serial, from_serial, {}, {}});
  append(diffs_.back().removed, soa);
  state_ = State::removing;
  return base::ok();
}

Result<void> IxfrParser::feed_ixfr_soa(const dns::Record& soa, uint32_t serial) {
  if (serial == new_serial_ && diffs_.back().to == new_serial_) {
    if (soa.rdata != first_soa_->rdata)
      return make_error(Errc::malformed, "closing SOA differs from the opening one");
    state_ = State::done;
    return base::ok();
  }
  return start_step(serial, soa);
}

void IxfrParser::append(std::vector<dns::RRset>& section, const dns::Record& r) {
  if (r.type != dns::RRType::SOA && dns::is_signer_owned_type(r.type)) {
    ++dropped_;
    return;
  }
  if (section.empty() || section.back().owner() != r.owner || section.back().type() != r.type ||
      section.back().ttl() != r.ttl) {
    section.emplace_back(r.owner, r.type, r.rclass, r.ttl);
  }
  section.back().add(r.rdata);
}

void IxfrParser::end_of_message() {
  if (state_ == State::second && ixfr_from_ && !serial_gt(new_serial_, *ixfr_from_)) {
    kind_ = TransferResult::Kind::up_to_date;
    state_ = State::done;
  }
}

Result<TransferResult> IxfrParser::finish() && {
  if (state_ != State::done) {
    return make_error(Errc::malformed, "stream ended without the closing SOA (after " +
                                           std::to_string(records_) + " records)");
  }
  TransferResult out;
  out.kind = kind_;
  out.serial = new_serial_;
  out.dropped_dnssec = dropped_;
  out.records = records_;
  if (kind_ == TransferResult::Kind::axfr) {
    auto zone = std::move(*builder_).finish();
    if (!zone) return std::move(zone).error();
    out.full = std::move(*zone);
  } else if (kind_ == TransferResult::Kind::ixfr) {
    out.diffs = std::move(diffs_);
  }
  return out;
}

}  // namespace signerd::xfr
