#include "dns/rdata_text.hpp"

#include <chrono>
#include <cstdio>
#include <optional>

#include "dns/base32hex.hpp"
#include "dns/rdata_schema.hpp"
#include "dns/rdata_text_special.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

using text_detail::Bytes;
using F = Field;

// RFC 3597 section 5: "\# <length> <hex>", and "\# 0" for no data.
void append_generic(Bytes rdata, std::string& out) {
  out += "\\# ";
  out += std::to_string(rdata.size());
  if (!rdata.empty()) {
    out += ' ';
    text_detail::append_hex(rdata, out);
  }
}

// RFC 4034 section 3.2: YYYYMMDDHHmmSS in UTC of the 32-bit value as is.
void append_time(uint32_t t, std::string& out) {
  using namespace std::chrono;
  const sys_seconds tp{seconds{t}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  out += buf;
}

// RFC 4034 section 4.1.2: window, length, bitmap; validated already.
void append_type_bitmap(Bytes d, std::string& out) {
  bool first = true;
  for (size_t pos = 0; pos + 2 <= d.size(); pos += 2u + d[pos + 1]) {
    const unsigned window = d[pos];
    for (unsigned i = 0; i < d[pos + 1]; ++i) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        if ((d[pos + 2 + i] & (0x80u >> bit)) == 0) continue;
        if (!first) out += ' ';
        first = false;
        out += text_detail::portable_type_text(static_cast<RRType>(window * 256 + i * 8 + bit));
      }
    }
  }
}

// RFC 7043 section 3.1 / RFC 6742 section 2.3.
void append_eui(Bytes b, std::string& out) {
  char buf[4];
  for (size_t i = 0; i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : "-%02x", b[i]);
    out += buf;
  }
}

void append_ilnp64(const uint8_t* p, std::string& out) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04x:%04x:%04x:%04x", get_u16(p), get_u16(p + 2), get_u16(p + 4),
                get_u16(p + 6));
  out += buf;
}

// RFC 8659 section 4.1: the tag is ASCII letters and digits.
bool append_tag(Bytes tag, std::string& out) {
  for (uint8_t c : tag) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) return false;
    out += static_cast<char>(c);
  }
  return true;
}

// Prints a field that validation has shown to fit and is not a name or a
// whole-RDATA layout; returns its length.
size_t append_fixed_field(Field f, Bytes d, std::string& out) {
  switch (f) {
    case F::u8: out += std::to_string(d[0]); return 1;
    case F::u16: out += std::to_string(get_u16(d.data())); return 2;
    case F::u32: out += std::to_string(get_u32(d.data())); return 4;
    case F::u48: out += std::to_string((uint64_t{get_u16(d.data())} << 32) | get_u32(d.data() + 2)); return 6;
    case F::ipv4: text_detail::append_ipv4(d.data(), out); return 4;
    case F::ipv6: text_detail::append_ipv6(d.data(), out); return 16;
    case F::rrtype: out += text_detail::portable_type_text(static_cast<RRType>(get_u16(d.data()))); return 2;
    case F::time: append_time(get_u32(d.data()), out); return 4;
    case F::eui48: append_eui(d.first(6), out); return 6;
    case F::eui64: append_eui(d.first(8), out); return 8;
    case F::ilnp64: append_ilnp64(d.data(), out); return 8;
    default: return 0;
  }
}

// Prints one field at the front of `d`; returns its length, or nullopt
// when its text would not read back to the same octets.
std::optional<size_t> append_field(Field f, Bytes d, std::string& out) {
  switch (f) {
    case F::name:
    case F::name_compress:
    case F::name_lower: {
      const size_t n = text_detail::name_length(d, 0);
      NameView(d.first(n)).append_text(out);
      return n;
    }
    case F::char_string: text_detail::append_quoted(d.subspan(1, d[0]), out); return 1u + d[0];
    case F::char_strings:
      for (size_t pos = 0; pos < d.size(); pos += 1u + d[pos]) {
        if (pos > 0) out += ' ';
        text_detail::append_quoted(d.subspan(pos + 1, d[pos]), out);
      }
      return d.size();
    case F::hex_u8:
      if (d[0] == 0) out += '-';  // RFC 5155 section 3.3: no salt
      text_detail::append_hex(d.subspan(1, d[0]), out);
      return 1u + d[0];
    case F::base32_u8:
      // RFC 5155 section 3.3 forbids padding, ldns 1.8 needs it: only
      // whole 5-octet groups (any SHA-1 hash) read back in both.
      if (d[0] % 5 != 0) return std::nullopt;
      append_base32hex(d.subspan(1, d[0]), out, LetterCase::upper);
      return 1u + d[0];
    case F::tag_u8:
      if (!append_tag(d.subspan(1, d[0]), out)) return std::nullopt;
      return 1u + d[0];
    // Readers take no empty key, digest or signature, and an empty quoted
    // string ends a CAA or URI record early in BIND and becomes "" in ldns.
    case F::base64_rest:
    case F::hex_rest:
    case F::text_rest:
      if (d.empty()) return std::nullopt;
      if (f == F::base64_rest) text_detail::append_base64(d, out);
      if (f == F::hex_rest) text_detail::append_hex(d, out);
      if (f == F::text_rest) text_detail::append_quoted(d, out);
      return d.size();
    case F::type_bitmap: append_type_bitmap(d, out); return d.size();
    default: break;
  }
  bool ok = true;
  switch (f) {
    case F::loc: ok = text_detail::append_loc(d, out); break;
    case F::apl: ok = text_detail::append_apl(d, out); break;
    case F::ipseckey: ok = text_detail::append_ipseckey(d, out); break;
    case F::hip: ok = text_detail::append_hip(d, out); break;
    case F::svc_params: ok = text_detail::append_svc_params(d, out); break;
    case F::amtrelay: ok = text_detail::append_amtrelay(d, out); break;
    case F::wks: ok = text_detail::append_wks(d, out); break;
    case F::nsap: ok = text_detail::append_nsap(d, out); break;
    default: return append_fixed_field(f, d, out);
  }
  return ok ? std::optional<size_t>(d.size()) : std::nullopt;
}

// Field-by-field text, separated by single spaces; empty texts (an empty
// type bitmap or APL) take no separator. False when any field is not readable.
bool append_fields(const RdataSchema& schema, Bytes rdata, std::string& out) {
  size_t pos = 0;
  std::string field;
  const size_t start = out.size();
  for (Field f : schema.fields) {
    field.clear();
    if (f == F::base64_rest && pos == rdata.size() && schema.type == RRType::DOA) {
      out += " -";  // draft-durand-doa-over-dns section 5: no DOA data
      break;
    }
    auto n = append_field(f, rdata.subspan(pos), field);
    if (!n) return false;
    pos += *n;
    if (field.empty()) continue;
    if (out.size() > start) out += ' ';
    out += field;
  }
  return true;
}

// Per-type limits of what BIND 9.18 and ldns 1.8 read back from text, for
// RDATA that is well formed on the wire (probed with named-checkzone and
// ldns-read-zone; the unit tests name each case).
bool reads_back(RRType type, Bytes d) {
  switch (type) {
    case RRType::NXT: return false;  // RFC 2535 bitmap; ldns reads no NXT text
    case RRType::UID:
    case RRType::GID: return false;  // BIND knows only the mnemonic
    case RRType::ISDN:
      return d.size() == 1u + d[0] || d.size() == 2u + d[0] + d[1u + d[0]];  // address [subaddress]
    case RRType::WKS: return d.size() > 5;                                   // ldns wants at least one port
    case RRType::CSYNC: return d.size() > 6;                                 // ldns wants at least one type
    default: return true;
  }
}

}  // namespace

void append_rdata_text(RRType type, Bytes rdata, std::string& out) {
  const RdataSchema* schema = rdata_schema(type);
  if (schema == nullptr || !validate_rdata(type, rdata) || !reads_back(type, rdata)) {
    append_generic(rdata, out);
    return;
  }
  const size_t start = out.size();
  if (!append_fields(*schema, rdata, out)) {
    out.resize(start);
    append_generic(rdata, out);
  }
}

std::string rdata_to_text(RRType type, Bytes rdata) {
  std::string out;
  append_rdata_text(type, rdata, out);
  return out;
}

void append_record_text(NameView owner, uint32_t ttl, RRClass rclass, RRType type, Bytes rdata,
                        std::string& out) {
  owner.append_text(out);
  out += ' ';
  out += std::to_string(ttl);
  out += ' ';
  out += to_text(rclass);
  out += ' ';
  out += text_detail::portable_type_text(type);
  out += ' ';
  if (text_detail::readers_know(type)) {
    append_rdata_text(type, rdata, out);
  } else {
    append_generic(rdata, out);  // RFC 3597 section 5: a reader may not know the type
  }
}

}  // namespace signerd::dns
