// libFuzzer target: names from wire and from text. WireReader::name at a
// few offsets of arbitrary bytes, Name::from_text on the bytes as text; any
// name that parses must be valid wire and survive to_text/from_text octet
// for octet (case and escapes included).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dns/name.hpp"
#include "dns/wire.hpp"

namespace {

using signerd::dns::Name;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_name: %s\n", what);
  std::abort();
}

void check_name(const Name& n) {
  if (n.wire_size() > signerd::dns::kMaxNameWire) fail("name over 255 octets");
  if (!signerd::dns::validate_wire(n.wire())) fail("invalid wire from a parsed name");
  auto back = Name::from_text(n.to_text());
  if (!back) {
    std::fprintf(stderr, "text %s: %s\n", n.to_text().c_str(), back.error().detail.c_str());
    fail("to_text output does not parse");
  }
  if (!std::equal(n.wire().begin(), n.wire().end(), back->wire().begin(), back->wire().end())) {
    fail("to_text/from_text changed the name");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  // Offsets past 0 let pointers go backwards into bytes before the name.
  for (size_t pos = 0; pos < std::min<size_t>(size, 16); ++pos) {
    signerd::dns::WireReader r(bytes, pos);
    auto n = r.name();
    if (!n) continue;
    if (r.position() <= pos || r.position() > size) fail("reader position out of bounds");
    check_name(*n);
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = Name::from_text(text)) check_name(*n);
  static const Name origin = *Name::from_text("example.com.");
  if (auto n = Name::from_text(text, &origin)) check_name(*n);
  return 0;
}
