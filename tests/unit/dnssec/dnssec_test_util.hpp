// Helpers for the dnssec unit tests: records from presentation text, hex,
// and a fixture base for tests that sign with file keys and ask external
// verifiers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_file.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/zone_signer.hpp"
#include "hsm/pem_key_store.hpp"

namespace signerd::dnssec::testing {

// The classic roles, for tests that want one of them.
enum class KeyRole { ksk, zsk, csk };
inline SigningKey signing_key(std::string ref, uint16_t flags, KeyRole role) {
  return SigningKey{.ref = std::move(ref),
                    .algorithm = std::nullopt,
                    .flags = flags,
                    .publish = true,
                    .ksk = role != KeyRole::zsk,
                    .zsk = role != KeyRole::ksk};
}

// True when an external tool (a verifier or a peer signer) is on PATH.
inline bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

struct TextRecord {
  dns::Name owner;
  dns::RRType type;
  uint32_t ttl;
  dns::Rdata rdata;
};

// Every record of master-file text (absolute names, or relative to `origin`).
inline std::vector<TextRecord> records(std::string_view text, std::string_view origin = ".") {
  std::vector<TextRecord> out;
  auto o = dns::Name::from_text(origin);
  EXPECT_TRUE(o);
  auto r = dns::parse_zone_text(text, *o, 3600, [&](const dns::ParsedRecord& p) {
    out.push_back({dns::Name(p.owner), p.type, p.ttl, dns::Rdata(p.rdata.begin(), p.rdata.end())});
  });
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return out;
}

// The RDATA of the one record in `line`.
inline dns::Rdata rdata(std::string_view line) {
  auto rs = records(line);
  EXPECT_EQ(rs.size(), 1u) << line;
  return rs.empty() ? dns::Rdata{} : rs[0].rdata;
}

inline dns::Name name(std::string_view text) {
  auto n = dns::Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : dns::Name();
}

inline std::shared_ptr<const dns::ZoneVersion> zone(std::string_view text, std::string_view origin) {
  dns::ZoneFileOptions options;
  options.origin = name(origin);
  auto r = dns::read_zone_text(text, options);
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.zone;
}

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int high = -1;
  for (char c : hex) {
    int v = nibble(c);
    if (v < 0) continue;  // spaces and separators for readability
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  EXPECT_EQ(high, -1) << "odd number of hex digits";
  return out;
}

inline std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// A zone with every kind of name the chains care about: apex, ordinary
// names, a wildcard, empty non-terminals (c, b.c), a secure delegation
// (sec, with DS), insecure ones (sub with glue and occluded data below it,
// del.insec whose parent insec is an ENT only because of it), and a DNAME
// with occluded data.
inline constexpr std::string_view kCornerZone = R"(
$ORIGIN example.
$TTL 3600
@ IN SOA ns1.example. hostmaster.example. 1 3600 600 86400 300
@ NS ns1.example.
ns1 A 192.0.2.1
sub NS ns.sub.example.
ns.sub A 192.0.2.2
deep.below.sub A 192.0.2.3
sec NS ns.sec.example.
sec DS 12345 8 2 0000000000000000000000000000000000000000000000000000000000000000
dn DNAME other.test.
x.dn A 192.0.2.4
a.b.c A 192.0.2.5
* MX 10 mail.example.
del.insec NS ns.example.net.
)";

// A fresh directory per test, a PEM key store in it, and external tools
// (dnssec-verify, ldns-verify-zone, dnssec-signzone) run inside it.
class ToolDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "signerd-dnssec-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = hsm::PemKeyStore::create((dir_ / "keys").string());
    ASSERT_TRUE(store) << store.error().to_string();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  SigningKey make_key(hsm::Algorithm alg, uint16_t flags, KeyRole role, const std::string& label) {
    auto info = store_->generate(hsm::KeySpec{alg, 2048, {}, label});
    EXPECT_TRUE(info) << info.error().to_string();
    return signing_key(info ? info->uri : "", flags, role);
  }
  // Runs `command` in the directory with its output in tool.out; the exit status.
  int run(const std::string& command) const {
    return std::system(("cd '" + dir_.string() + "' && (" + command + ") >tool.out 2>&1").c_str());
  }
  std::string tool_output() const {
    std::ifstream in(dir_ / "tool.out");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Writes `zone` as a master file `name` in the directory; returns the text.
  std::string write(const dns::ZoneVersion& zone, const std::string& name) const {
    std::string text;
    dns::write_zone(zone, text);
    std::ofstream(dir_ / name) << text;
    return text;
  }
  // Each installed verifier accepts `file`. dnssec-verify wants a KSK and a
  // separate ZSK per algorithm unless -z says to ignore the SEP flag, as a
  // CSK needs (its man page).
  void expect_verifiers_accept(const std::string& file, bool csk = true,
                               const std::string& context = "") const {
    if (have("dnssec-verify")) {
      EXPECT_EQ(run(std::string("dnssec-verify ") + (csk ? "-z " : "") + "-o example. " + file), 0)
          << context << tool_output();
    }
    if (have("ldns-verify-zone")) {
      EXPECT_EQ(run("ldns-verify-zone " + file), 0) << context << tool_output();
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<hsm::PemKeyStore> store_;
};

// Every record of a zone as (lowercased owner, type, TTL, RDATA): zones
// compared as sets, whatever their leaves and serial order.
using RecordSet = std::set<std::tuple<std::string, uint16_t, uint32_t, dns::Rdata>>;
inline RecordSet records_of(const dns::ZoneVersion& z) {
  RecordSet out;
  z.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto rd = rrset.rdata(i);
      out.insert({dns::Name(node.owner()).lowercased().to_text(), dns::code(rrset.type()), rrset.ttl(),
                  dns::Rdata(rd.begin(), rd.end())});
    }
  });
  return out;
}

// One RRset from master-file lines of one owner and type.
inline dns::RRset rrset_of(std::string_view text, std::string_view origin = "example.") {
  auto rs = records(text, origin);
  EXPECT_FALSE(rs.empty()) << text;
  dns::RRset out(rs.at(0).owner, rs[0].type, dns::RRClass::IN, rs[0].ttl);
  for (const auto& r : rs) out.add(r.rdata);
  return out;
}

// For the random-change tests: a random node after the apex that `ok`
// accepts, or none.
template <class Rng, class F>
std::optional<dns::NodeView> pick_node(const dns::ZoneVersion& z, Rng& rng, F&& ok) {
  std::vector<size_t> c;
  for (size_t i = 1; i < z.node_count(); ++i) {
    if (ok(z.node(i))) c.push_back(i);
  }
  if (c.empty()) return std::nullopt;
  return z.node(c[std::uniform_int_distribution<size_t>(0, c.size() - 1)(rng)]);
}

// Plain data a random change may take away: not occluded, not a cut or a
// wildcard, no CNAME or DNAME, and not the apex's name server.
inline bool plain_node(dns::NodeView n) {
  return n.rrset_count() > 0 && !n.is_occluded() && !n.is_delegation() && !n.is_wildcard() &&
         !n.find(dns::RRType::CNAME) && !n.find(dns::RRType::DNAME) &&
         !(n.owner() == *dns::Name::from_text("ns1.example."));
}

}  // namespace signerd::dnssec::testing
