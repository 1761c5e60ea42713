// libFuzzer target: TSIG verification on arbitrary bytes. What parses as a
// message goes through verify_request with a fixed keyring and clock, and
// through a client's verify_response. Checked: the outcome is consistent
// (a key only when the MAC verified, an error only when refused) and an
// error answer built from a refusal parses again. Any failed check aborts.
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "dns/message.hpp"
#include "xfr/tsig.hpp"

namespace {

using signerd::base::TimePoint;
using signerd::dns::Message;
using signerd::xfr::TsigAlgorithm;
using signerd::xfr::TsigClient;
using signerd::xfr::TsigError;
using signerd::xfr::TsigKey;
using signerd::xfr::TsigKeyring;
using signerd::xfr::TsigRequestCheck;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_tsig: %s\n", what);
  std::abort();
}

const TsigKeyring& keyring() {
  static const TsigKeyring ring = [] {
    // The secret of the dig-signed seed (run.sh) and tests/unit/xfr/tsig_test.cpp.
    const std::string_view text = "signerd-tsig-known-answer-key-32";
    const std::vector<uint8_t> secret(text.begin(), text.end());
    std::vector<TsigKey> keys;
    for (auto a : {TsigAlgorithm::hmac_md5, TsigAlgorithm::hmac_sha1, TsigAlgorithm::hmac_sha256,
                   TsigAlgorithm::hmac_sha512}) {
      keys.emplace_back(*signerd::dns::Name::from_text("tsig-test.example."), a, secret);
    }
    return TsigKeyring(std::move(keys));
  }();
  return ring;
}

// The time of the dig-signed seeds, so their MACs reach the time check.
const TimePoint kNow{std::chrono::seconds(1'795'456'238)};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> wire(data, size);
  auto m = Message::parse(wire);
  if (!m) return 0;
  using Outcome = TsigRequestCheck::Outcome;
  const auto check = signerd::xfr::verify_request(keyring(), *m, wire, kNow);
  switch (check.outcome) {
    case Outcome::unsigned_request:
      if (m->tsig) fail("a TSIG record reported as unsigned");
      break;
    case Outcome::verified:
      if (check.key == nullptr || check.error != TsigError::none) fail("verified without a key");
      break;
    case Outcome::refused: {
      if (check.error == TsigError::none) fail("refused without an error");
      if ((check.key != nullptr) != (check.error == TsigError::badtime))
        fail("key set on a non-BADTIME refusal");
      std::vector<uint8_t> answer(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(m->tsig_offset));
      answer[11] = static_cast<uint8_t>(answer[11] - 1);
      if (signerd::xfr::append_error_tsig(answer, check, kNow) && !Message::parse(answer)) {
        fail("an error answer does not parse");
      }
      break;
    }
    case Outcome::malformed:
      if (!m->tsig) fail("malformed without a TSIG record");
      break;
  }
  // The client side: a fresh transaction that signed a fixed request.
  static const TsigKey* const key =
      keyring().find(*signerd::dns::Name::from_text("tsig-test.example."), TsigAlgorithm::hmac_sha256);
  if (key == nullptr) fail("keyring lost its key");
  TsigClient client(*key);
  std::vector<uint8_t> request{0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};
  if (!client.sign_request(request, kNow)) fail("cannot sign a request");
  auto verified = client.verify_response(*m, wire, kNow);
  if (!verified && verified.error().detail.empty()) fail("client error without a detail");
  return 0;
}
