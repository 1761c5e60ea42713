// dns/rrset.hpp — RDATA and RRsets as values.
//
// Owns: Rdata (uncompressed wire bytes) and RRset (one owner, type, class and
// TTL; RDATA kept in RFC 4034 section 6.3 canonical order, de-duplicated).
// Used for diffs, messages and anything small; a whole zone lives in the
// compact ZoneVersion instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"

namespace signerd::dns {

using Rdata = std::vector<uint8_t>;

class RRset {
 public:
  RRset(Name owner, RRType type, RRClass rclass, uint32_t ttl)
      : owner_(std::move(owner)), type_(type), rclass_(rclass), ttl_(ttl) {}

  const Name& owner() const noexcept { return owner_; }
  RRType type() const noexcept { return type_; }
  RRClass rclass() const noexcept { return rclass_; }
  uint32_t ttl() const noexcept { return ttl_; }
  void set_ttl(uint32_t ttl) noexcept { ttl_ = ttl; }

  // Canonically sorted, no two equal in canonical form.
  const std::vector<Rdata>& rdatas() const noexcept { return rdatas_; }
  size_t size() const noexcept { return rdatas_.size(); }
  bool empty() const noexcept { return rdatas_.empty(); }

  // Inserts in canonical position; false (and no change) for a duplicate.
  bool add(std::span<const uint8_t> rdata);
  // Removes the RDATA equal in canonical form; false when absent.
  bool remove(std::span<const uint8_t> rdata);
  bool contains(std::span<const uint8_t> rdata) const;

  // Same owner, type, class, TTL and RDATA set.
  friend bool operator==(const RRset& a, const RRset& b);

 private:
  Name owner_;
  RRType type_;
  RRClass rclass_;
  uint32_t ttl_;
  std::vector<Rdata> rdatas_;
};

}  // namespace signerd::dns
