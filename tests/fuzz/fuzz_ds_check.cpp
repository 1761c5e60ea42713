// libFuzzer target: arbitrary bytes as an agent's answer to "child.test. DS"
// through the pure verdict (xfr/ds_check.hpp), under every TSIG outcome.
// Checked: a verdict always has a reason; HAS or LACKS only for a verified
// (or explicitly accepted) authoritative answer to our question, HAS only
// when the answer holds one of the expected DS, a failed TSIG or a refused
// unauthenticated answer is always UNKNOWN; a round of the verdicts is
// decided only when unanimous. Any failed check aborts.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "dns/message.hpp"
#include "xfr/ds_check.hpp"

namespace {

using signerd::dns::Message;
using signerd::dns::Rdata;
using signerd::xfr::DsExpectation;
using signerd::xfr::DsPresence;
using signerd::xfr::DsTsigCheck;
using signerd::xfr::DsVerdict;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_ds_check: %s\n", what);
  std::abort();
}

Rdata ds(uint8_t digest_type, uint8_t fill, size_t size) {
  Rdata rd{0x30, 0x39, 13, digest_type};  // key tag 12345, ECDSAP256SHA256
  rd.insert(rd.end(), size, fill);
  return rd;
}

const DsExpectation& expected() {
  static const DsExpectation e = [] {
    auto r = DsExpectation::create(*signerd::dns::Name::from_text("child.test."),
                                   {ds(2, 0xAB, 32), ds(4, 0xCD, 48)});
    if (!r) fail("cannot build the expectation");
    return std::move(*r);
  }();
  return e;
}

bool holds_expected_ds(const Message& m) {
  const auto& want = expected().expected();
  return std::any_of(m.answer.begin(), m.answer.end(), [&](const signerd::dns::Record& r) {
    return r.type == signerd::dns::RRType::DS && r.rclass == signerd::dns::RRClass::IN &&
           r.owner == expected().zone() && std::find(want.begin(), want.end(), r.rdata) != want.end();
  });
}

void check(const DsVerdict& v, const Message* m, const DsTsigCheck& tsig, bool accept) {
  if (v.reason.empty()) fail("a verdict without a reason");
  if (v.presence == DsPresence::unknown) return;
  if (tsig.outcome == DsTsigCheck::Outcome::failed) fail("decided on a failed TSIG");
  if (tsig.outcome == DsTsigCheck::Outcome::no_key && !accept) fail("decided on an unauthenticated answer");
  if (m == nullptr) fail("decided on bytes that do not parse");
  if (!m->header.qr || !m->header.aa || m->header.tc) fail("decided on a non-authoritative answer");
  if (m->questions.size() != 1 || m->questions[0].qname != expected().zone() ||
      m->questions[0].qtype != signerd::dns::RRType::DS) {
    fail("decided on an answer to another question");
  }
  if (m->rcode() != 0 && m->rcode() != 3) fail("decided on an error RCODE");
  if ((v.presence == DsPresence::has) != holds_expected_ds(*m)) fail("HAS disagrees with the answer");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> wire(data, size);
  auto parsed = Message::parse(wire);
  const Message* m = parsed ? &*parsed : nullptr;
  std::vector<signerd::xfr::DsAddressVerdict> verdicts;
  const DsTsigCheck outcomes[] = {{DsTsigCheck::Outcome::verified, ""},
                                  {DsTsigCheck::Outcome::no_key, ""},
                                  {DsTsigCheck::Outcome::failed, "BADSIG"}};
  for (const DsTsigCheck& tsig : outcomes) {
    for (bool accept : {false, true}) {
      auto v = signerd::xfr::ds_verdict_from_wire(expected(), wire, tsig, accept);
      check(v, m, tsig, accept);
      verdicts.push_back({"192.0.2.1@53", std::move(v)});
    }
  }
  // The failed-TSIG verdicts are UNKNOWN: the round never decides.
  const auto round = signerd::xfr::aggregate_ds_round(12345, signerd::xfr::DsWant::published, verdicts);
  if (round.outcome != signerd::xfr::DsRoundOutcome::undecided) fail("a round decided with an UNKNOWN in it");
  if (round.reason.empty()) fail("a round without a reason");
  return 0;
}
