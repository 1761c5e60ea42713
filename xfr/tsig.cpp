// xfr/tsig.cpp — TSIG MACs, signing and verification (RFC 8945).
//
// Owns: the TSIG RDATA codec, the digest of RFC 8945 section 4.3 (request,
// first response, later responses with timers only), verify_request,
// append_error_tsig, TsigResponder and TsigClient. Does not own: keys and
// key files (xfr/tsig_key.cpp), parsing messages (dns/message).
#include "xfr/tsig.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "dns/message_builder.hpp"
#include "dns/wire.hpp"

namespace signerd::xfr {

namespace {

using base::Errc;
using base::make_error;

constexpr uint64_t kMax48 = 0xFFFF'FFFF'FFFFull;

// TSIG RDATA (RFC 8945 section 4.2). The MAC and Other Data point into the
// parsed record, which outlives this view.
struct TsigFields {
  dns::Name algorithm;
  uint64_t time_signed = 0;
  uint16_t fudge = kTsigFudge;
  std::span<const uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::span<const uint8_t> other;
};

// The algorithm name must be uncompressed (section 4.2); every field must
// be present and nothing may follow Other Data.
Result<TsigFields> parse_fields(std::span<const uint8_t> rdata) {
  TsigFields f;
  size_t pos = 0;
  while (true) {
    if (pos >= rdata.size()) return make_error(Errc::malformed, "TSIG algorithm name truncated");
    const uint8_t len = rdata[pos];
    if (len > dns::kMaxLabel)
      return make_error(Errc::malformed, "TSIG algorithm name compressed or bad label");
    pos += 1u + len;
    if (len == 0) break;
  }
  if (pos > rdata.size()) return make_error(Errc::malformed, "TSIG algorithm name truncated");
  auto name = dns::Name::from_wire(rdata.first(pos));
  if (!name) return make_error(Errc::malformed, "TSIG algorithm name: " + name.error().detail);
  f.algorithm = std::move(*name);
  dns::WireReader r(rdata, pos);
  auto hi = r.u16();
  auto lo = r.u32();
  auto fudge = r.u16();
  auto mac_size = r.u16();
  if (!hi || !lo || !fudge || !mac_size) return make_error(Errc::malformed, "TSIG RDATA truncated");
  f.time_signed = (static_cast<uint64_t>(*hi) << 32) | *lo;
  f.fudge = *fudge;
  auto mac = r.bytes(*mac_size);
  if (!mac) return make_error(Errc::malformed, "TSIG MAC truncated");
  f.mac = *mac;
  auto id = r.u16();
  auto error = r.u16();
  auto other_len = r.u16();
  if (!id || !error || !other_len) return make_error(Errc::malformed, "TSIG RDATA truncated");
  f.original_id = *id;
  f.error = *error;
  auto other = r.bytes(*other_len);
  if (!other) return make_error(Errc::malformed, "TSIG Other Data truncated");
  f.other = *other;
  if (!r.at_end()) return make_error(Errc::malformed, "octets after TSIG Other Data");
  return f;
}

void put_u48(std::vector<uint8_t>& out, uint64_t v) {
  dns::put_u16(out, static_cast<uint16_t>(v >> 32));
  dns::put_u32(out, static_cast<uint32_t>(v));
}

dns::Record make_record(const dns::Name& key_name, const TsigFields& f) {
  dns::Record rec;
  rec.owner = key_name;
  rec.type = dns::RRType::TSIG;
  rec.rclass = dns::RRClass::ANY;
  rec.ttl = 0;
  dns::put_bytes(rec.rdata, f.algorithm.wire());
  put_u48(rec.rdata, f.time_signed);
  dns::put_u16(rec.rdata, f.fudge);
  dns::put_u16(rec.rdata, static_cast<uint16_t>(f.mac.size()));
  dns::put_bytes(rec.rdata, f.mac);
  dns::put_u16(rec.rdata, f.original_id);
  dns::put_u16(rec.rdata, f.error);
  dns::put_u16(rec.rdata, static_cast<uint16_t>(f.other.size()));
  dns::put_bytes(rec.rdata, f.other);
  return rec;
}

uint64_t seconds48(base::TimePoint t) noexcept {
  const auto s = t.time_since_epoch().count();
  return s < 0 ? 0 : static_cast<uint64_t>(s) & kMax48;
}

// Section 5.2.3: |now - Time Signed| <= Fudge.
bool time_ok(uint64_t time_signed, uint16_t fudge, base::TimePoint now) noexcept {
  const uint64_t n = seconds48(now);
  const uint64_t diff = n > time_signed ? n - time_signed : time_signed - n;
  return diff <= fudge;
}

const char* digest_name(TsigAlgorithm a) noexcept {
  switch (a) {
    case TsigAlgorithm::hmac_md5: return "MD5";
    case TsigAlgorithm::hmac_sha1: return "SHA1";
    case TsigAlgorithm::hmac_sha224: return "SHA224";
    case TsigAlgorithm::hmac_sha256: return "SHA256";
    case TsigAlgorithm::hmac_sha384: return "SHA384";
    case TsigAlgorithm::hmac_sha512: return "SHA512";
  }
  return "SHA256";
}

size_t mac_length(TsigAlgorithm a) noexcept {
  switch (a) {
    case TsigAlgorithm::hmac_md5: return 16;
    case TsigAlgorithm::hmac_sha1: return 20;
    case TsigAlgorithm::hmac_sha224: return 28;
    case TsigAlgorithm::hmac_sha256: return 32;
    case TsigAlgorithm::hmac_sha384: return 48;
    case TsigAlgorithm::hmac_sha512: return 64;
  }
  return 64;
}

// Section 5.2.2.1: longer than the hash, or shorter than the larger of 10
// octets and half the hash, is a FORMERR (only error answers may carry an
// empty MAC, and callers check that first).
bool mac_size_allowed(TsigAlgorithm a, size_t size) noexcept {
  const size_t full = mac_length(a);
  return size <= full && size >= std::max<size_t>(10, full / 2);
}

// What goes into one MAC (section 4.3.1-4.3.3 and 5.3.1).
struct DigestInput {
  std::span<const uint8_t> prior_mac;  // request MAC or previous MAC
  bool has_prior = false;
  std::span<const uint8_t> earlier;  // unsigned messages since the last TSIG (5.3.1)
  std::span<const uint8_t> message;  // up to, not including, the TSIG record
  bool message_counts_tsig = false;  // ARCOUNT still counts the TSIG record
  uint16_t original_id = 0;
  bool timers_only = false;
  dns::NameView key_name;
  dns::NameView algorithm_name;
  uint64_t time_signed = 0;
  uint16_t fudge = 0;
  uint16_t error = 0;
  std::span<const uint8_t> other;
};

struct MacFree {
  void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
  void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacFree>;

// Fetched once; an EVP_MAC is reference-counted and safe to share.
EVP_MAC* hmac() {
  static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

void append_lower_name(std::vector<uint8_t>& out, dns::NameView name) {
  for (uint8_t c : name.wire()) out.push_back(dns::to_lower_octet(c));
}

// The octets after the prior MAC and the messages: TSIG variables (4.3.3)
// or timers only (5.3.1).
std::vector<uint8_t> variables(const DigestInput& in) {
  std::vector<uint8_t> v;
  if (!in.timers_only) {
    append_lower_name(v, in.key_name);
    dns::put_u16(v, static_cast<uint16_t>(dns::RRClass::ANY));
    dns::put_u32(v, 0);
    append_lower_name(v, in.algorithm_name);
  }
  put_u48(v, in.time_signed);
  dns::put_u16(v, in.fudge);
  if (!in.timers_only) {
    dns::put_u16(v, in.error);
    dns::put_u16(v, static_cast<uint16_t>(in.other.size()));
    dns::put_bytes(v, in.other);
  }
  return v;
}

Result<std::vector<uint8_t>> compute_mac(const TsigKey& key, const DigestInput& in) {
  if (in.message.size() < dns::kHeaderSize)
    return make_error(Errc::internal, "TSIG: message shorter than a header");
  EVP_MAC* mac = hmac();
  MacCtx ctx(mac ? EVP_MAC_CTX_new(mac) : nullptr);
  if (!ctx) return make_error(Errc::internal, "TSIG: OpenSSL HMAC unavailable");
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name(key.algorithm())),
                                       0),
      OSSL_PARAM_construct_end()};
  // The header with Original ID in place of the ID and, for a received
  // message, ARCOUNT without the TSIG record (4.3.3).
  std::array<uint8_t, dns::kHeaderSize> header{};
  std::copy_n(in.message.begin(), dns::kHeaderSize, header.begin());
  header[0] = static_cast<uint8_t>(in.original_id >> 8);
  header[1] = static_cast<uint8_t>(in.original_id);
  if (in.message_counts_tsig) {
    const uint16_t arcount = dns::get_u16(&header[10]);
    if (arcount == 0) return make_error(Errc::malformed, "TSIG: ARCOUNT is zero");
    header[10] = static_cast<uint8_t>((arcount - 1) >> 8);
    header[11] = static_cast<uint8_t>(arcount - 1);
  }
  std::array<uint8_t, 2> prior_len{static_cast<uint8_t>(in.prior_mac.size() >> 8),
                                   static_cast<uint8_t>(in.prior_mac.size())};
  const auto vars = variables(in);
  const auto body = in.message.subspan(dns::kHeaderSize);
  std::array<uint8_t, EVP_MAX_MD_SIZE> out{};
  size_t out_len = 0;
  bool good = EVP_MAC_init(ctx.get(), key.secret().data(), key.secret().size(), params.data()) == 1;
  if (in.has_prior) {
    good = good && EVP_MAC_update(ctx.get(), prior_len.data(), prior_len.size()) == 1 &&
           EVP_MAC_update(ctx.get(), in.prior_mac.data(), in.prior_mac.size()) == 1;
  }
  good = good && EVP_MAC_update(ctx.get(), in.earlier.data(), in.earlier.size()) == 1 &&
         EVP_MAC_update(ctx.get(), header.data(), header.size()) == 1 &&
         EVP_MAC_update(ctx.get(), body.data(), body.size()) == 1 &&
         EVP_MAC_update(ctx.get(), vars.data(), vars.size()) == 1 &&
         EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) == 1;
  if (!good || out_len != mac_length(key.algorithm())) {
    return make_error(Errc::internal, "TSIG key " + key.name().to_text() + ": HMAC failed");
  }
  return std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out_len));
}

// Compares a received, possibly truncated MAC with the leading octets of
// ours, in constant time.
bool mac_matches(std::span<const uint8_t> received, const std::vector<uint8_t>& computed) noexcept {
  return !received.empty() && received.size() <= computed.size() &&
         CRYPTO_memcmp(received.data(), computed.data(), received.size()) == 0;
}

// The message before the TSIG record, when `parsed` came from `wire`.
std::optional<std::span<const uint8_t>> before_tsig(const dns::Message& parsed,
                                                    std::span<const uint8_t> wire) {
  if (parsed.tsig_offset < dns::kHeaderSize || parsed.tsig_offset > wire.size()) return std::nullopt;
  return wire.first(parsed.tsig_offset);
}

size_t record_size(const dns::Name& key_name, TsigAlgorithm a, size_t other_size) {
  return key_name.wire_size() + 10 + tsig_algorithm_name(a).wire_size() + 16 + mac_length(a) + other_size;
}

}  // namespace

TsigRequestCheck verify_request(const TsigKeyring& keyring, const dns::Message& parsed,
                                std::span<const uint8_t> wire, base::TimePoint now) {
  TsigRequestCheck c;
  if (!parsed.tsig) return c;
  using Outcome = TsigRequestCheck::Outcome;
  const dns::Record& t = *parsed.tsig;
  auto fields = parse_fields(t.rdata);
  const auto message = before_tsig(parsed, wire);
  // Section 4.2: class ANY, TTL 0.
  if (!fields || !message || t.rclass != dns::RRClass::ANY || t.ttl != 0) {
    c.outcome = Outcome::malformed;
    return c;
  }
  c.key_name = t.owner;
  c.algorithm_name = fields->algorithm;
  c.original_id = fields->original_id;
  c.request_time = fields->time_signed;
  c.request_mac.assign(fields->mac.begin(), fields->mac.end());
  auto refuse = [&](TsigError e) {
    c.outcome = Outcome::refused;
    c.error = e;
    return c;
  };
  // Section 5.2.1: unknown key or algorithm.
  const auto alg = tsig_algorithm_from_name(fields->algorithm);
  const TsigKey* key = alg ? keyring.find(t.owner, *alg) : nullptr;
  if (key == nullptr) return refuse(TsigError::badkey);
  // Section 5.2.2.
  if (fields->mac.empty()) return refuse(TsigError::badsig);
  if (!mac_size_allowed(*alg, fields->mac.size())) {
    c.outcome = Outcome::malformed;
    return c;
  }
  DigestInput in;
  in.message = *message;
  in.message_counts_tsig = true;
  in.original_id = fields->original_id;
  in.key_name = t.owner;
  in.algorithm_name = fields->algorithm;
  in.time_signed = fields->time_signed;
  in.fudge = fields->fudge;
  in.error = fields->error;
  in.other = fields->other;
  auto mac = compute_mac(*key, in);
  if (!mac || !mac_matches(fields->mac, *mac)) return refuse(TsigError::badsig);
  // The MAC is good, so the answer to a BADTIME is signed with this key.
  c.key = key;
  if (!time_ok(fields->time_signed, fields->fudge, now)) return refuse(TsigError::badtime);
  c.outcome = Outcome::verified;
  return c;
}

bool append_error_tsig(std::vector<uint8_t>& response, const TsigRequestCheck& check, base::TimePoint now) {
  if (check.outcome != TsigRequestCheck::Outcome::refused || response.size() < dns::kHeaderSize) return false;
  TsigFields f;
  f.algorithm = check.algorithm_name;
  f.time_signed = seconds48(now);
  f.fudge = kTsigFudge;
  f.original_id = check.original_id;
  f.error = static_cast<uint16_t>(check.error);
  std::vector<uint8_t> server_time;
  std::vector<uint8_t> mac;
  // Section 5.3.2: key and MAC errors are answered unsigned; a time error
  // is signed, with the request's Time Signed (so the client's own clock
  // check passes) and our time in Other Data (5.2.3).
  const bool signed_answer = check.error == TsigError::badtime && check.key != nullptr;
  if (signed_answer) {
    f.time_signed = check.request_time;
    put_u48(server_time, seconds48(now));
    f.other = server_time;
    DigestInput in;
    in.prior_mac = check.request_mac;
    in.has_prior = true;
    in.message = response;
    in.original_id = check.original_id;
    in.key_name = check.key_name;
    in.algorithm_name = check.algorithm_name;
    in.time_signed = f.time_signed;
    in.fudge = f.fudge;
    in.error = f.error;
    in.other = f.other;
    auto computed = compute_mac(*check.key, in);
    if (!computed) return false;
    mac = std::move(*computed);
    f.mac = mac;
  }
  return dns::append_tsig(response, make_record(check.key_name, f));
}

TsigResponder::TsigResponder(const TsigKey& key, const TsigRequestCheck& check)
    : key_(&key), previous_mac_(check.request_mac), original_id_(check.original_id) {}

size_t TsigResponder::tsig_size() const noexcept { return record_size(key_->name(), key_->algorithm(), 0); }

namespace {

// Fills in the time and names of `in`, computes the MAC of `message` and
// appends the TSIG record carrying it; returns the MAC (the next message's
// prior MAC, RFC 8945 section 4.3.1).
Result<std::vector<uint8_t>> append_signed_tsig(const TsigKey& key, std::vector<uint8_t>& message,
                                                base::TimePoint now, uint16_t original_id, DigestInput in) {
  if (message.size() < dns::kHeaderSize) return make_error(Errc::invalid_argument, "TSIG: not a message");
  TsigFields f;
  f.algorithm = tsig_algorithm_name(key.algorithm());
  f.time_signed = seconds48(now);
  f.original_id = original_id;
  in.message = message;
  in.original_id = original_id;
  in.key_name = key.name();
  in.algorithm_name = f.algorithm;
  in.time_signed = f.time_signed;
  in.fudge = f.fudge;
  auto mac = compute_mac(key, in);
  if (!mac) return std::move(mac).error();
  f.mac = *mac;
  if (!dns::append_tsig(message, make_record(key.name(), f))) {
    return make_error(Errc::out_of_range,
                      "TSIG key " + key.name().to_text() + ": no room for the TSIG record");
  }
  return std::move(*mac);
}

}  // namespace

Result<void> TsigResponder::sign(std::vector<uint8_t>& message, base::TimePoint now) {
  DigestInput in;
  in.prior_mac = previous_mac_;
  in.has_prior = true;
  in.timers_only = !first_;  // section 5.3.1
  auto mac = append_signed_tsig(*key_, message, now, original_id_, in);
  if (!mac) return std::move(mac).error();
  previous_mac_ = std::move(*mac);
  first_ = false;
  return base::ok();
}

TsigClient::TsigClient(const TsigKey& key) : key_(&key) {}

size_t TsigClient::tsig_size() const noexcept { return record_size(key_->name(), key_->algorithm(), 0); }

Result<void> TsigClient::sign_request(std::vector<uint8_t>& message, base::TimePoint now) {
  if (message.size() < dns::kHeaderSize) return make_error(Errc::invalid_argument, "TSIG: not a message");
  auto mac = append_signed_tsig(*key_, message, now, dns::get_u16(message.data()), DigestInput{});
  if (!mac) return std::move(mac).error();
  previous_mac_ = std::move(*mac);
  first_response_ = true;
  last_signed_ = false;
  unsigned_run_ = 0;
  unsigned_messages_.clear();
  return base::ok();
}

Result<void> TsigClient::verify_response(const dns::Message& parsed, std::span<const uint8_t> wire,
                                         base::TimePoint now) {
  const std::string who = "TSIG key " + key_->name().to_text();
  if (!parsed.tsig) {
    // Section 5.3.1: the first message must be signed, and at most 99
    // unsigned ones may follow a signed one; their octets join the next MAC.
    if (first_response_) return make_error(Errc::malformed, who + ": response is not signed");
    if (++unsigned_run_ > 99)
      return make_error(Errc::malformed, who + ": more than 99 unsigned messages in a row");
    unsigned_messages_.insert(unsigned_messages_.end(), wire.begin(), wire.end());
    last_signed_ = false;
    return base::ok();
  }
  const dns::Record& t = *parsed.tsig;
  auto fields = parse_fields(t.rdata);
  const auto message = before_tsig(parsed, wire);
  if (!fields || !message || t.rclass != dns::RRClass::ANY) {
    return make_error(Errc::malformed, who + ": malformed TSIG record in the response");
  }
  if (!(t.owner == key_->name()) || !(fields->algorithm == tsig_algorithm_name(key_->algorithm()))) {
    return make_error(Errc::malformed, who + ": response signed with key " + t.owner.to_text() +
                                           " algorithm " + fields->algorithm.to_text());
  }
  const auto error = static_cast<TsigError>(fields->error);
  // Section 5.3.2: BADKEY and BADSIG come back unsigned.
  if (fields->error != 0 && fields->mac.empty()) {
    return make_error(Errc::malformed, who + ": server says " + tsig_error_name(error));
  }
  if (!mac_size_allowed(key_->algorithm(), fields->mac.size())) {
    return make_error(Errc::malformed,
                      who + ": MAC size " + std::to_string(fields->mac.size()) + " not allowed");
  }
  DigestInput in;
  in.prior_mac = previous_mac_;
  in.has_prior = true;
  in.earlier = unsigned_messages_;
  in.message = *message;
  in.message_counts_tsig = true;
  in.original_id = fields->original_id;
  in.timers_only = !first_response_;
  in.key_name = t.owner;
  in.algorithm_name = fields->algorithm;
  in.time_signed = fields->time_signed;
  in.fudge = fields->fudge;
  in.error = fields->error;
  in.other = fields->other;
  auto mac = compute_mac(*key_, in);
  if (!mac) return std::move(mac).error();
  if (!mac_matches(fields->mac, *mac)) return make_error(Errc::malformed, who + ": BADSIG");
  if (fields->error != 0) return make_error(Errc::malformed, who + ": server says " + tsig_error_name(error));
  if (!time_ok(fields->time_signed, fields->fudge, now))
    return make_error(Errc::out_of_range, who + ": BADTIME");
  // Later MACs chain on the MAC as sent (truncated or not: 5.2.2.1).
  previous_mac_.assign(fields->mac.begin(), fields->mac.end());
  unsigned_messages_.clear();
  first_response_ = false;
  last_signed_ = true;
  unsigned_run_ = 0;
  return base::ok();
}

}  // namespace signerd::xfr
