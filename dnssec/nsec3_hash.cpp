#include "dnssec/nsec3_hash.hpp"

#include "dns/base32hex.hpp"
#include "dns/wire.hpp"

namespace signerd::dnssec {

Result<void> check_nsec3_params(const Nsec3Params& params) {
  if (params.algorithm != kNsec3HashSha1) {
    return base::make_error(base::Errc::unsupported,
                            "NSEC3 hash algorithm " + std::to_string(params.algorithm) + " (only 1, SHA-1)");
  }
  if (params.salt.size() > 255) {
    return base::make_error(base::Errc::invalid_argument, "NSEC3 salt longer than 255 octets");
  }
  return base::ok();
}

Result<Nsec3Hasher> Nsec3Hasher::create(const Nsec3Params& params) {
  SIGNERD_TRY(check_nsec3_params(params));
  auto h = Hasher::create(DigestAlgorithm::sha1);
  if (!h) return std::move(h).error();
  return Nsec3Hasher(std::move(*h), params.salt, params.iterations);
}

Result<Nsec3Hash> Nsec3Hasher::hash(dns::NameView owner) {
  // RFC 5155 section 5: IH(salt, x, 0) = H(x || salt);
  // IH(salt, x, k) = H(IH(salt, x, k-1) || salt).
  dns::Name lower = dns::Name(owner).lowercased();
  Nsec3Hash out{};
  std::span<const uint8_t> input = lower.wire();
  for (uint32_t k = 0; k <= iterations_; ++k) {
    SIGNERD_TRY(hasher_.reset());
    SIGNERD_TRY(hasher_.update(input));
    SIGNERD_TRY(hasher_.update(salt_));
    SIGNERD_TRY(hasher_.finish(out));
    input = out;
  }
  return out;
}

Result<Nsec3Hash> nsec3_hash(dns::NameView owner, const Nsec3Params& params) {
  auto hasher = Nsec3Hasher::create(params);
  if (!hasher) return std::move(hasher).error();
  return hasher->hash(owner);
}

std::string base32hex_encode(std::span<const uint8_t> data) {
  std::string out;
  dns::append_base32hex(data, out, dns::LetterCase::lower);
  return out;
}

Result<dns::Name> nsec3_owner(const Nsec3Hash& hash, const dns::Name& zone) {
  std::string label = base32hex_encode(hash);
  auto name = zone.prepend_label({reinterpret_cast<const uint8_t*>(label.data()), label.size()});
  if (!name) {
    return base::make_error(base::Errc::out_of_range,
                            "NSEC3 owner under " + zone.to_text() + ": " + name.error().detail);
  }
  return name;
}

dns::Rdata make_nsec3param_rdata(const Nsec3Params& params) {
  dns::Rdata out;
  dns::put_u8(out, params.algorithm);
  dns::put_u8(out, 0);
  dns::put_u16(out, params.iterations);
  dns::put_u8(out, static_cast<uint8_t>(params.salt.size()));
  dns::put_bytes(out, params.salt);
  return out;
}

std::optional<Nsec3Params> parse_nsec3param_rdata(std::span<const uint8_t> rdata) {
  // RFC 5155 section 4.2: algorithm, flags, iterations, salt length, salt.
  if (rdata.size() < 5 || rdata.size() != 5 + size_t{rdata[4]}) return std::nullopt;
  Nsec3Params p;
  p.algorithm = rdata[0];
  p.iterations = dns::get_u16(rdata.data() + 2);
  p.salt.assign(rdata.begin() + 5, rdata.end());
  return p;
}

}  // namespace signerd::dnssec
