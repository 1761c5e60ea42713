#include "dns/name.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace signerd::dns {
namespace {

// Offsets of the label length octets, leftmost first; returns the count.
size_t label_offsets(std::span<const uint8_t> wire, std::array<uint8_t, 128>& out) noexcept {
  size_t n = 0;
  size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    out[n++] = static_cast<uint8_t>(pos);
    pos += 1u + wire[pos];
  }
  return n;
}

int compare_labels(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    uint8_t x = to_lower_octet(a[i]);
    uint8_t y = to_lower_octet(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool needs_escape(uint8_t c) {
  switch (c) {
    case '.':
    case '\\':
    case '"':
    case '(':
    case ')':
    case ';':
    case '$':
    case '@': return true;
    default: return false;
  }
}

}  // namespace

size_t NameView::label_count() const noexcept {
  size_t n = 0;
  for (size_t pos = 0; pos < wire_.size() && wire_[pos] != 0; pos += 1u + wire_[pos]) ++n;
  return n;
}

bool NameView::is_wildcard() const noexcept { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }

NameView NameView::strip_left(size_t n) const noexcept {
  size_t pos = 0;
  for (size_t i = 0; i < n && pos < wire_.size() && wire_[pos] != 0; ++i) pos += 1u + wire_[pos];
  return NameView(wire_.subspan(pos));
}

std::span<const uint8_t> NameView::first_label() const noexcept {
  if (wire_.empty()) return {};
  return wire_.subspan(1, wire_[0]);
}

bool NameView::is_subdomain_of(NameView ancestor) const noexcept {
  size_t mine = label_count();
  size_t theirs = ancestor.label_count();
  if (theirs > mine) return false;
  return strip_left(mine - theirs) == ancestor;
}

void NameView::append_text(std::string& out) const {
  if (is_root()) {
    out += '.';
    return;
  }
  for (size_t pos = 0; pos < wire_.size() && wire_[pos] != 0; pos += 1u + wire_[pos]) {
    for (size_t i = 1; i <= wire_[pos]; ++i) {
      uint8_t c = wire_[pos + i];
      if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
        out += buf;
      } else {
        if (needs_escape(c)) out += '\\';
        out += static_cast<char>(c);
      }
    }
    out += '.';
  }
}

std::string NameView::to_text() const {
  std::string out;
  append_text(out);
  return out;
}

void NameView::append_canonical_key(std::string& out, size_t skip_right_labels) const {
  std::array<uint8_t, 128> offs{};
  size_t n = label_offsets(wire_, offs);
  for (size_t i = n > skip_right_labels ? n - skip_right_labels : 0; i-- > 0;) {
    size_t pos = offs[i];
    for (size_t j = 1; j <= wire_[pos]; ++j) {
      uint8_t c = to_lower_octet(wire_[pos + j]);
      // 0x00 is the label separator below; keep order by mapping
      // 0x00 -> 01 01 and 0x01 -> 01 02, all other octets as they are.
      if (c <= 1) {
        out += '\x01';
        out += static_cast<char>(c + 1);
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '\0';
  }
}

bool operator==(NameView a, NameView b) noexcept {
  if (a.wire_.size() != b.wire_.size()) return false;
  for (size_t i = 0; i < a.wire_.size(); ++i) {
    // Length octets are <= 63 and hence unaffected by lowercasing.
    if (to_lower_octet(a.wire_[i]) != to_lower_octet(b.wire_[i])) return false;
  }
  return true;
}

std::strong_ordering canonical_compare(NameView a, NameView b) noexcept {
  std::array<uint8_t, 128> oa{};
  std::array<uint8_t, 128> ob{};
  size_t na = label_offsets(a.wire(), oa);
  size_t nb = label_offsets(b.wire(), ob);
  size_t i = na;
  size_t j = nb;
  while (i > 0 && j > 0) {
    --i;
    --j;
    auto la = a.wire().subspan(oa[i] + 1u, a.wire()[oa[i]]);
    auto lb = b.wire().subspan(ob[j] + 1u, b.wire()[ob[j]]);
    int c = compare_labels(la, lb);
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  return na <=> nb;
}

std::strong_ordering operator<=>(NameView a, NameView b) noexcept { return canonical_compare(a, b); }

Result<void> validate_wire(std::span<const uint8_t> wire) {
  size_t pos = 0;
  while (true) {
    if (pos >= wire.size()) return base::make_error(base::Errc::malformed, "name runs past its end");
    uint8_t len = wire[pos];
    if (len == 0) break;
    if (len > kMaxLabel) {
      return base::make_error(base::Errc::malformed,
                              "label longer than 63 octets (or a compression pointer)");
    }
    pos += 1u + len;
  }
  if (pos + 1 > kMaxNameWire) return base::make_error(base::Errc::malformed, "name longer than 255 octets");
  if (pos + 1 != wire.size()) return base::make_error(base::Errc::malformed, "trailing bytes after name");
  return base::ok();
}

Result<Name> Name::from_wire(std::span<const uint8_t> wire) {
  SIGNERD_TRY(validate_wire(wire));
  return Name(std::string(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

Result<Name> Name::from_text(std::string_view text, const Name* origin) {
  using base::Errc;
  auto fail = [&](const std::string& why) {
    return base::make_error(Errc::malformed, "name '" + std::string(text) + "': " + why);
  };
  if (text.empty()) return fail("empty");
  if (text == "@") {
    if (origin == nullptr) return fail("'@' without an origin");
    return *origin;
  }
  if (text == ".") return Name();

  std::string wire;
  wire.reserve(text.size() + 2);
  std::string label;
  bool absolute = false;
  auto flush_label = [&]() -> bool {
    if (label.empty() || label.size() > kMaxLabel) return false;
    wire += static_cast<char>(label.size());
    wire += label;
    label.clear();
    return true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (label.empty()) return fail("empty label");
      if (!flush_label()) return fail("label longer than 63 octets");
      if (i + 1 == text.size()) absolute = true;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return fail("dangling backslash");
      char d = text[i + 1];
      if (d >= '0' && d <= '9') {
        if (i + 3 >= text.size()) return fail("\\DDD escape needs three digits");
        unsigned v = 0;
        for (size_t k = 1; k <= 3; ++k) {
          char e = text[i + k];
          if (e < '0' || e > '9') return fail("\\DDD escape needs three digits");
          v = v * 10 + static_cast<unsigned>(e - '0');
        }
        if (v > 255) return fail("\\DDD escape above 255");
        label += static_cast<char>(v);
        i += 3;
      } else {
        label += d;
        i += 1;
      }
      continue;
    }
    label += c;
  }
  if (!label.empty()) {
    if (!flush_label()) return fail("label longer than 63 octets");
  }
  if (absolute) {
    wire += '\0';
  } else {
    if (origin == nullptr) return fail("relative name without an origin");
    wire.append(reinterpret_cast<const char*>(origin->wire().data()), origin->wire_size());
  }
  if (wire.size() > kMaxNameWire) return fail("longer than 255 octets");
  return Name(std::move(wire));
}

Name Name::lowercased() const {
  std::string w = wire_;
  for (auto& c : w) c = static_cast<char>(to_lower_octet(static_cast<uint8_t>(c)));
  return Name(std::move(w));
}

Result<Name> Name::prepend_label(std::span<const uint8_t> label) const {
  if (label.empty() || label.size() > kMaxLabel) {
    return base::make_error(base::Errc::invalid_argument, "label must be 1..63 octets");
  }
  if (label.size() + 1 + wire_.size() > kMaxNameWire) {
    return base::make_error(base::Errc::out_of_range, "name would exceed 255 octets");
  }
  std::string w;
  w += static_cast<char>(label.size());
  w.append(reinterpret_cast<const char*>(label.data()), label.size());
  w += wire_;
  return Name(std::move(w));
}

Result<Name> Name::replace_suffix(NameView from, NameView to) const {
  if (!is_subdomain_of(from)) {
    return base::make_error(base::Errc::invalid_argument, to_text() + " is not under " + from.to_text());
  }
  size_t keep = wire_.size() - from.wire_size();
  if (keep + to.wire_size() > kMaxNameWire) {
    return base::make_error(base::Errc::out_of_range, "name would exceed 255 octets");
  }
  std::string w = wire_.substr(0, keep);
  w.append(reinterpret_cast<const char*>(to.wire().data()), to.wire_size());
  return Name(std::move(w));
}

}  // namespace signerd::dns
