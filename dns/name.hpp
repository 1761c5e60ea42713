// dns/name.hpp — domain names.
//
// Owns: NameView (a non-owning view of an uncompressed wire name) and Name
// (an owning value). Both keep case as given; equality is case-insensitive
// and the only ordering is RFC 4034 section 6.1 canonical order.
// Does not own: compression (dns/message) or zone-file parsing (dns/zone_file).
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace signerd::dns {

using base::Result;

inline constexpr size_t kMaxNameWire = 255;  // RFC 1035 section 2.3.4
inline constexpr size_t kMaxLabel = 63;

// A view of a valid, uncompressed wire-format name. The bytes must outlive
// the view; construct only from bytes already validated (Name, ZoneVersion).
class NameView {
 public:
  constexpr NameView() = default;
  // Precondition: `wire` is a valid uncompressed name (see validate_wire()).
  explicit constexpr NameView(std::span<const uint8_t> wire) : wire_(wire) {}

  std::span<const uint8_t> wire() const noexcept { return wire_; }
  size_t wire_size() const noexcept { return wire_.size(); }
  bool is_root() const noexcept { return wire_.size() <= 1; }
  // Labels not counting the root: "www.example." has 2.
  size_t label_count() const noexcept;
  // "*" as leftmost label (RFC 4592).
  bool is_wildcard() const noexcept;
  // True when this name equals `ancestor` or lies below it.
  bool is_subdomain_of(NameView ancestor) const noexcept;
  // The name without its leftmost `n` labels (n <= label_count()).
  NameView strip_left(size_t n) const noexcept;
  NameView parent() const noexcept { return strip_left(1); }
  // Leftmost label, without its length octet.
  std::span<const uint8_t> first_label() const noexcept;

  // Absolute presentation form with trailing dot and RFC 1035 escapes.
  std::string to_text() const;
  void append_text(std::string& out) const;

  // Appends a byte string whose memcmp order is canonical order
  // (labels reversed, lowercased, order-preserving escape of 0x00/0x01).
  // Skipping the rightmost labels that names share (a zone's origin) keeps
  // that order among those names.
  void append_canonical_key(std::string& out, size_t skip_right_labels = 0) const;

  friend bool operator==(NameView a, NameView b) noexcept;
  friend std::strong_ordering operator<=>(NameView a, NameView b) noexcept;

 private:
  std::span<const uint8_t> wire_;
};

// Canonical comparison of two valid wire names (RFC 4034 section 6.1).
std::strong_ordering canonical_compare(NameView a, NameView b) noexcept;

// Checks that `wire` is exactly one uncompressed name: labels <= 63,
// total <= 255, ends with the root label, no trailing bytes.
Result<void> validate_wire(std::span<const uint8_t> wire);

class Name {
 public:
  Name() : wire_(1, '\0') {}  // the root
  explicit Name(NameView v) : wire_(reinterpret_cast<const char*>(v.wire().data()), v.wire_size()) {}

  static Name root() { return Name(); }
  // From an uncompressed wire name that must fill `wire` exactly.
  static Result<Name> from_wire(std::span<const uint8_t> wire);
  // From presentation format. A name without a trailing dot is relative to
  // `origin` (an error when origin is null); "@" is the origin.
  static Result<Name> from_text(std::string_view text, const Name* origin = nullptr);

  NameView view() const noexcept {
    return NameView({reinterpret_cast<const uint8_t*>(wire_.data()), wire_.size()});
  }
  operator NameView() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)

  std::span<const uint8_t> wire() const noexcept { return view().wire(); }
  size_t wire_size() const noexcept { return wire_.size(); }
  size_t label_count() const noexcept { return view().label_count(); }
  bool is_root() const noexcept { return view().is_root(); }
  bool is_wildcard() const noexcept { return view().is_wildcard(); }
  bool is_subdomain_of(NameView ancestor) const noexcept { return view().is_subdomain_of(ancestor); }
  std::string to_text() const { return view().to_text(); }

  // ASCII letters lowered (RFC 4034 section 6.2 canonical form).
  Name lowercased() const;
  // `label` + "." + this; fails when the result would exceed 255 octets.
  Result<Name> prepend_label(std::span<const uint8_t> label) const;
  // Replaces the suffix `from` (which this name must be under) by `to`.
  Result<Name> replace_suffix(NameView from, NameView to) const;

  friend bool operator==(const Name& a, const Name& b) noexcept { return a.view() == b.view(); }
  friend std::strong_ordering operator<=>(const Name& a, const Name& b) noexcept {
    return a.view() <=> b.view();
  }

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;  // binary wire bytes; std::string for its small-buffer optimisation
};

// Lowercases one octet as RFC 4034 section 6.2 does (ASCII only).
constexpr uint8_t to_lower_octet(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

}  // namespace signerd::dns
