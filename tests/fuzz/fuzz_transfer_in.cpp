// libFuzzer target: a zone transfer as a primary might send it. The input is
// cut into messages (a 2-octet length before each, as on TCP); each one that
// parses feeds its answer records to an IxfrParser for zone "example." (AXFR when
// the first input octet is even, IXFR from serial 1 when odd). Checked: the
// parser never accepts records after the end, and a finished result is
// consistent (an AXFR gives a zone, an IXFR gives chained diffs). Any failed
// check aborts.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>

#include "dns/message.hpp"
#include "xfr/ixfr_parser.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_transfer_in: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  using signerd::xfr::IxfrParser;
  using signerd::xfr::TransferResult;
  static const signerd::dns::Name zone = *signerd::dns::Name::from_text("example.");
  const bool ixfr = (data[0] & 1) != 0;
  IxfrParser parser(zone, signerd::dns::RRClass::IN, ixfr ? std::optional<uint32_t>(1) : std::nullopt, 2000);
  std::span<const uint8_t> rest(data + 1, size - 1);
  bool failed = false;
  while (rest.size() >= 2 && !failed) {
    const size_t length = static_cast<size_t>(rest[0] << 8 | rest[1]);
    rest = rest.subspan(2);
    if (length > rest.size()) break;
    auto message = signerd::dns::Message::parse(rest.first(length));
    rest = rest.subspan(length);
    if (!message) continue;
    for (const auto& record : message->answer) {
      const bool was_done = parser.done();
      auto fed = parser.feed(record);
      if (was_done && fed) fail("a record after the end was accepted");
      if (!fed) {
        failed = true;
        break;
      }
    }
    parser.end_of_message();
  }
  if (failed) return 0;
  const bool done = parser.done();
  auto result = std::move(parser).finish();
  if (!done && result) fail("an unfinished stream gave a result");
  if (!result) return 0;
  switch (result->kind) {
    case TransferResult::Kind::axfr:
      if (!result->full) fail("AXFR without a zone");
      break;
    case TransferResult::Kind::ixfr:
      if (result->diffs.empty()) fail("IXFR without diffs");
      for (size_t i = 1; i < result->diffs.size(); ++i)
        if (result->diffs[i - 1].to != result->diffs[i].from) fail("IXFR steps do not chain");
      break;
    case TransferResult::Kind::up_to_date: break;
  }
  return 0;
}
