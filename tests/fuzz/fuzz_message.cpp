// libFuzzer target: Message::parse on arbitrary bytes. What parses must
// rebuild through MessageBuilder and parse again to an equal message, and
// rebuilding that must give the same octets (the builder is deterministic
// and keeps case). Any failed check aborts, which libFuzzer reports.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"

namespace {

using signerd::dns::AddResult;
using signerd::dns::Message;
using signerd::dns::MessageBuilder;
using signerd::dns::ParseLimits;
using signerd::dns::Section;

// More than one question reaches more code; the default of 1 is policy.
constexpr ParseLimits kLimits{.max_questions = 4, .max_records = 8192};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_message: %s\n", what);
  std::abort();
}

// nullopt when the message does not fit 64 KiB once rebuilt: decompressed
// RDATA and different compression choices can make it larger than the input.
std::optional<std::vector<uint8_t>> rebuild(const Message& m) {
  MessageBuilder b(m.header, signerd::dns::kMaxTcpMessage);
  if (m.edns && b.set_edns(*m.edns) != AddResult::added) return std::nullopt;
  for (const auto& q : m.questions) {
    if (b.add_question(q) != AddResult::added) return std::nullopt;
  }
  for (Section s : {Section::answer, Section::authority, Section::additional}) {
    for (const auto& r : m.section(s)) {
      if (b.add_record(s, r) != AddResult::added) return std::nullopt;
    }
  }
  auto wire = std::move(b).finish();
  if (wire.size() > signerd::dns::kMaxTcpMessage) fail("builder exceeded its size limit");
  if (m.tsig && !signerd::dns::append_tsig(wire, *m.tsig)) return std::nullopt;
  return wire;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = Message::parse(std::span<const uint8_t>(data, size), kLimits);
  if (!m) {
    if (m.error().detail.empty()) fail("error without a detail");
    return 0;
  }
  auto wire = rebuild(*m);
  if (!wire) return 0;
  auto again = Message::parse(*wire, kLimits);
  if (!again) {
    std::fprintf(stderr, "reparse: %s\n", again.error().detail.c_str());
    fail("a rebuilt message does not parse");
  }
  if (!(*again == *m)) fail("a rebuilt message parses to a different message");
  if (m->tsig &&
      again->tsig_offset + m->tsig->owner.wire_size() + 10 + m->tsig->rdata.size() != wire->size()) {
    fail("TSIG offset does not point at the appended TSIG");
  }
  auto wire2 = rebuild(*again);
  if (!wire2 || *wire2 != *wire) fail("rebuilding is not deterministic");
  return 0;
}
