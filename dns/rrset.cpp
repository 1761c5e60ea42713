#include "dns/rrset.hpp"

#include <algorithm>

#include "dns/rdata_schema.hpp"

namespace signerd::dns {
namespace {

auto lower_bound_in(const std::vector<Rdata>& v, RRType type, std::span<const uint8_t> rd) {
  return std::lower_bound(v.begin(), v.end(), rd, [type](const Rdata& x, std::span<const uint8_t> y) {
    return canonical_rdata_compare(type, x, y) < 0;
  });
}

}  // namespace

bool RRset::add(std::span<const uint8_t> rdata) {
  auto it = lower_bound_in(rdatas_, type_, rdata);
  if (it != rdatas_.end() && canonical_rdata_compare(type_, *it, rdata) == 0) return false;
  rdatas_.insert(it, Rdata(rdata.begin(), rdata.end()));
  return true;
}

bool RRset::remove(std::span<const uint8_t> rdata) {
  auto it = lower_bound_in(rdatas_, type_, rdata);
  if (it == rdatas_.end() || canonical_rdata_compare(type_, *it, rdata) != 0) return false;
  rdatas_.erase(it);
  return true;
}

bool RRset::contains(std::span<const uint8_t> rdata) const {
  auto it = lower_bound_in(rdatas_, type_, rdata);
  return it != rdatas_.end() && canonical_rdata_compare(type_, *it, rdata) == 0;
}

bool operator==(const RRset& a, const RRset& b) {
  if (!(a.owner_ == b.owner_) || a.type_ != b.type_ || a.rclass_ != b.rclass_ || a.ttl_ != b.ttl_ ||
      a.rdatas_.size() != b.rdatas_.size()) {
    return false;
  }
  for (size_t i = 0; i < a.rdatas_.size(); ++i) {
    if (canonical_rdata_compare(a.type_, a.rdatas_[i], b.rdatas_[i]) != 0) return false;
  }
  return true;
}

}  // namespace signerd::dns
