// xfr/tsig.hpp — transaction signatures (RFC 8945) for queries, NOTIFY and
// zone transfers, in both directions.
//
// Owns: TSIG keys (loaded from secret files, wiped when destroyed), the MAC
// of a message (RFC 8945 section 4.3), signing requests and responses,
// verifying them with the time check (fudge, section 5.2.3) and the
// multi-message rules of zone transfers (section 5.3.1), and the TSIG record
// of an error answer (BADSIG, BADKEY, BADTIME: section 5.3.2).
// Does not own: parsing messages (dns/message: Message::tsig and
// tsig_offset), deciding which key a peer must use (the caller's ACLs), or
// sending anything.
//
// Thread-safety: TsigKey and TsigKeyring are immutable values, safe to share;
// TsigClient and TsigResponder belong to one transaction and one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"

namespace signerd::xfr {

using base::Result;

// RFC 8945 section 6. MD5 and SHA-1 only for old peers (section 6: MUST NOT
// be required, but may be offered).
enum class TsigAlgorithm : uint8_t {
  hmac_md5,
  hmac_sha1,
  hmac_sha224,
  hmac_sha256,
  hmac_sha384,
  hmac_sha512
};

// The config's spelling: "hmac-md5", "hmac-sha1", … "hmac-sha512" (any case).
std::optional<TsigAlgorithm> parse_tsig_algorithm(std::string_view config_name) noexcept;
// The algorithm name on the wire: "hmac-md5.sig-alg.reg.int.", "hmac-sha256.", …
const dns::Name& tsig_algorithm_name(TsigAlgorithm algorithm);
std::optional<TsigAlgorithm> tsig_algorithm_from_name(dns::NameView wire_name) noexcept;

// RFC 8945 section 3 error codes, carried in the TSIG record's Error field
// (and in the RCODE as NOTAUTH, 9, for the first three).
enum class TsigError : uint16_t { none = 0, badsig = 16, badkey = 17, badtime = 18, badtrunc = 22 };
const char* tsig_error_name(TsigError error) noexcept;  // "BADSIG", …

// A shared secret. The secret bytes are wiped when the key is destroyed;
// they never appear in logs, errors or to_string().
class TsigKey {
 public:
  TsigKey(dns::Name name, TsigAlgorithm algorithm, std::vector<uint8_t> secret);
  TsigKey(const TsigKey& other);
  TsigKey& operator=(const TsigKey& other);
  TsigKey(TsigKey&& other) noexcept;
  TsigKey& operator=(TsigKey&& other) noexcept;
  ~TsigKey();

  const dns::Name& name() const noexcept { return name_; }
  TsigAlgorithm algorithm() const noexcept { return algorithm_; }
  std::span<const uint8_t> secret() const noexcept { return secret_; }

 private:
  dns::Name name_;
  TsigAlgorithm algorithm_;
  std::vector<uint8_t> secret_;
};

// Reads a key's secret from `secret_file`: base64 text (BIND's `secret`
// value), surrounding whitespace ignored. Errors, each naming the file but
// never its content: io (unreadable), malformed (not base64, empty),
// invalid_argument (unknown algorithm; a file readable by "other").
Result<TsigKey> load_tsig_key(const dns::Name& name, std::string_view algorithm,
                              const std::filesystem::path& secret_file);

// The keys a server accepts.
class TsigKeyring {
 public:
  TsigKeyring() = default;
  explicit TsigKeyring(std::vector<TsigKey> keys) : keys_(std::move(keys)) {}
  // By name (case-insensitive) and algorithm; null when absent.
  const TsigKey* find(dns::NameView name, TsigAlgorithm algorithm) const noexcept;
  const TsigKey* find(dns::NameView name) const noexcept;
  bool empty() const noexcept { return keys_.empty(); }

 private:
  std::vector<TsigKey> keys_;
};

// 300 s: RFC 8945 section 10 recommends it.
inline constexpr uint16_t kTsigFudge = 300;

// What a server learned from a request's TSIG.
struct TsigRequestCheck {
  enum class Outcome : uint8_t {
    unsigned_request,  // no TSIG record
    verified,          // `key` signed it
    refused,           // `error` says why: answer NOTAUTH + error TSIG (error_response)
    malformed,         // TSIG record unparseable: answer FORMERR, no TSIG
  };
  Outcome outcome = Outcome::unsigned_request;
  // Set when the MAC verified (points into the keyring): outcome verified,
  // or refused with BADTIME, whose answer is signed with it.
  const TsigKey* key = nullptr;
  TsigError error = TsigError::none;
  // What the response's TSIG needs (RFC 8945 section 5.3): the request's
  // MAC, key name and algorithm name, original ID, the request's time.
  std::vector<uint8_t> request_mac;
  dns::Name key_name;
  dns::Name algorithm_name;
  uint16_t original_id = 0;
  uint64_t request_time = 0;
};

// Verifies the request's TSIG (RFC 8945 section 5.2): known key (else
// BADKEY), MAC (else BADSIG; an empty MAC is BADSIG), time within fudge of
// `now` (else BADTIME, checked after the MAC). Truncated MACs are accepted
// down to max(10, half the hash) octets; a MAC longer than the hash or
// shorter than that is malformed (section 5.2.2.1: FORMERR). Our local
// policy accepts every truncation the RFC allows, so BADTRUNC (5.2.4) is
// never the outcome. `wire` is the bytes `parsed` was parsed from.
TsigRequestCheck verify_request(const TsigKeyring& keyring, const dns::Message& parsed,
                                std::span<const uint8_t> wire, base::TimePoint now);

// Appends the TSIG record for an error answer to `response` (a finished
// message whose RCODE the caller set to NOTAUTH): unsigned for BADKEY and
// BADSIG (empty MAC), signed with "Other Data" = server time for BADTIME
// (RFC 8945 section 5.2.3). Returns false when it does not fit.
bool append_error_tsig(std::vector<uint8_t>& response, const TsigRequestCheck& check, base::TimePoint now);

// Signs the responses of one transaction: a single answer, or every message
// of an AXFR/IXFR (we sign each one: RFC 8945 section 5.3.1 allows gaps but
// does not ask for them). The first MAC covers the request MAC, later ones
// the previous MAC with timers only.
class TsigResponder {
 public:
  // Keeps a pointer to `key`, which must outlive the responder.
  TsigResponder(const TsigKey& key, const TsigRequestCheck& check);
  TsigResponder(TsigKey&& key, const TsigRequestCheck& check) = delete;
  // Appends the TSIG record to a finished message; the caller must have
  // held back tsig_size() octets (MessageBuilder::reserve). Errors:
  // out_of_range when it does not fit in 65535 octets.
  Result<void> sign(std::vector<uint8_t>& message, base::TimePoint now);
  size_t tsig_size() const noexcept;

 private:
  const TsigKey* key_;
  std::vector<uint8_t> previous_mac_;
  uint16_t original_id_;
  bool first_ = true;
};

// A client transaction: sign the request, then verify every response
// message in order (section 5.3.1: the first and the last must be signed,
// and no more than 99 unsigned messages in a row).
class TsigClient {
 public:
  // Keeps a pointer to `key`, which must outlive the client.
  explicit TsigClient(const TsigKey& key);
  explicit TsigClient(TsigKey&& key) = delete;
  // Appends TSIG to a finished request; keeps its MAC for the response.
  Result<void> sign_request(std::vector<uint8_t>& message, base::TimePoint now);
  size_t tsig_size() const noexcept;
  // Errors (each names the key, never the secret): malformed (no TSIG where
  // one is required; wrong key or algorithm name; bad MAC — "BADSIG"; the
  // server's TSIG error, e.g. "server says BADKEY"), out_of_range (time
  // outside fudge: "BADTIME").
  Result<void> verify_response(const dns::Message& parsed, std::span<const uint8_t> wire,
                               base::TimePoint now);
  // True when the last message verified carried a TSIG (a transfer must end
  // on a signed message).
  bool last_was_signed() const noexcept { return last_signed_; }

 private:
  const TsigKey* key_;
  std::vector<uint8_t> previous_mac_;
  bool first_response_ = true;
  bool last_signed_ = false;
  unsigned unsigned_run_ = 0;
  // Unsigned messages since the last signed one: the next MAC covers them
  // (section 5.3.1).
  std::vector<uint8_t> unsigned_messages_;
};

}  // namespace signerd::xfr
