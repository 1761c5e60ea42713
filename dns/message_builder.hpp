// dns/message_builder.hpp — building DNS messages within a size limit.
//
// Owns: MessageBuilder (header, questions, records section by section with
// name compression per RFC 1035 section 4.1.4 and RFC 3597 section 4, an
// EDNS0 OPT record written last, room held back for a TSIG record) and
// append_tsig. Does not own: TSIG digests (xfr/), choosing what to put in a
// message, or retry/TC policy: a record that does not fit is reported and the
// caller sets TC (UDP, RFC 2181 section 9) or starts the next message (AXFR).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/message.hpp"

namespace signerd::dns {

inline constexpr size_t kMaxUdpMessage = 512;    // RFC 1035 section 4.2.1, without EDNS
inline constexpr size_t kMaxTcpMessage = 65535;  // RFC 1035 section 4.2.2 length prefix

enum class AddResult : uint8_t {
  added,
  // Would exceed the size limit (less what reserve() and set_edns() hold
  // back); the message is unchanged. On a builder with no records yet, the
  // record will never fit at this size.
  no_room,
};

// Writes one message. Questions first, then the sections in order answer,
// authority, additional: the builder appends, so adding to an earlier
// section after a later one is a programmer error (asserted).
// Not thread-safe; one builder per message.
class MessageBuilder {
 public:
  // `max_size` is clamped to 12..65535.
  explicit MessageBuilder(const Header& header, size_t max_size = kMaxUdpMessage);

  // May be called at any time, e.g. to set TC after a record did not fit.
  void set_header(const Header& header);

  // Precondition: no record added yet.
  AddResult add_question(const Question& q);

  // Owner names are always compressed; names in RDATA only for the RFC 1035
  // types of has_compressible_names(). Compression matches exact octets, so
  // case survives a round trip. Preconditions: `rec.rdata` is valid for its
  // type (a malformed one is copied without compression); no record added
  // to a later section yet; `rec.type` is neither OPT nor TSIG.
  AddResult add_record(Section section, const Record& rec);

  // Sets the OPT record, written after the additional records at finish();
  // its size is held back from now on (RFC 6891 section 6.1.1).
  AddResult set_edns(const Edns& edns);

  // Holds back `n` more octets, e.g. for the TSIG record the caller appends
  // with append_tsig() after finish() (RFC 8945 section 5.3).
  AddResult reserve(size_t n);

  size_t size() const noexcept { return buf_.size(); }
  size_t record_count() const noexcept { return counts_[1] + counts_[2] + counts_[3]; }

  // The message, with counts and the OPT record written; at most
  // max_size minus what reserve() held back.
  std::vector<uint8_t> finish() &&;

 private:
  bool fits(size_t extra) const noexcept { return buf_.size() + extra + held_back_ <= max_size_; }
  void write_name(std::span<const uint8_t> wire, bool compress);
  void write_rdata(const Record& rec);
  void rollback(size_t size, size_t suffixes);

  std::vector<uint8_t> buf_;
  size_t max_size_;
  size_t held_back_ = 0;
  size_t edns_size_ = 0;
  std::optional<Edns> edns_;
  std::array<uint16_t, 4> counts_{};  // QD, AN, NS, AR
  size_t last_section_ = 0;           // 0 questions, then 1 + Section
  // Uncompressed suffix -> offset of a copy in buf_ below 0x4000, plus the
  // keys in insertion order so a failed add can take its own out again.
  std::unordered_map<std::string, uint16_t> suffixes_;
  std::vector<std::string> suffix_log_;
};

// Appends `tsig` to a finished message, uncompressed (RFC 8945 section 4.2
// forbids compressing the algorithm name; the owner is left whole too), and
// increments ARCOUNT. Returns false, leaving `message` unchanged, when it is
// not a message, ARCOUNT is full, or the result would exceed 65535 octets.
bool append_tsig(std::vector<uint8_t>& message, const Record& tsig);

}  // namespace signerd::dns
