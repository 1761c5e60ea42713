// libFuzzer target: answer_query (xfr/query_answer) on arbitrary request
// bytes, over UDP and over TCP, against a small signed-looking zone with a
// journal and a TSIG keyring. Checks: it never crashes; every message it
// produces parses; a UDP answer fits the size the request allowed; nothing
// is answered to a response or to fewer than 12 octets. Any failed check
// aborts, which libFuzzer reports.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_file.hpp"
#include "xfr/query_answer.hpp"

namespace {

using namespace signerd;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_auth_query: %s\n", what);
  std::abort();
}

std::shared_ptr<const dns::ZoneVersion> zone(uint32_t serial, const std::string& extra) {
  std::string t = "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300\n";
  t += "@ NS ns1\nns1 A 192.0.2.1\n";
  t += "@ DNSKEY 257 3 13 "
       "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n";
  for (const char* type : {"SOA", "NS", "DNSKEY"}) {
    t += std::string("@ RRSIG ") + type +
         " 13 2 3600 20300101000000 20200101000000 12345 example.test. "
         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\n";
  }
  dns::ZoneFileOptions o;
  o.origin = *dns::Name::from_text("example.test.");
  auto r = dns::read_zone_text(t + extra, o);
  if (!r.zone) fail("test zone does not load");
  return r.zone;
}

class Catalog final : public xfr::ZoneCatalog {
 public:
  Catalog() {
    auto v1 = zone(1, "");
    auto v2 = zone(2, "new A 192.0.2.2\n");
    auto z = std::make_shared<xfr::ServedZone>();
    z->signed_version = v2;
    z->journal.push_back(std::make_shared<dns::ZoneDiff>(dns::diff_versions(*v1, *v2)));
    zone_ = z;
  }
  std::shared_ptr<const xfr::ServedZone> find(dns::NameView name) const override {
    return name == zone_->signed_version->origin().view() ? zone_ : nullptr;
  }
  bool allow_transfer(dns::NameView, const xfr::asio::ip::address&, const xfr::TsigKey*) const override {
    return true;
  }
  xfr::NotifyVerdict on_notify(dns::NameView name, const xfr::asio::ip::address&, const xfr::TsigKey*,
                               std::optional<uint32_t>) override {
    return find(name) ? xfr::NotifyVerdict::accepted : xfr::NotifyVerdict::not_auth;
  }

 private:
  std::shared_ptr<const xfr::ServedZone> zone_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Catalog catalog;
  static const xfr::TsigKeyring keyring(std::vector<xfr::TsigKey>{xfr::TsigKey(
      *dns::Name::from_text("xfr-key."), xfr::TsigAlgorithm::hmac_sha256, std::vector<uint8_t>(32, 1))});
  const auto now = base::TimePoint(std::chrono::seconds(1'700'000'000));
  const std::span<const uint8_t> wire(data, size);
  for (auto transport : {xfr::Transport::udp, xfr::Transport::tcp}) {
    xfr::QueryRequest req{wire, transport, xfr::asio::ip::make_address("127.0.0.1"), 1232};
    auto out = xfr::answer_all(catalog, keyring, req, now);
    if ((size < 12 || (data[2] & 0x80) != 0) && !out.empty()) fail("answered a response or a short packet");
    if (transport == xfr::Transport::udp && out.size() > 1) fail("more than one UDP message");
    for (const auto& m : out) {
      if (m.size() > 65535) fail("message over 65535 octets");
      if (transport == xfr::Transport::udp && m.size() > 1232 && m.size() > 512) fail("UDP answer too large");
      auto parsed = dns::Message::parse(m);
      if (!parsed) {
        std::fprintf(stderr, "%s\n", parsed.error().detail.c_str());
        fail("a response does not parse");
      }
      if (!parsed->header.qr) fail("a response without QR");
    }
  }
  return 0;
}
