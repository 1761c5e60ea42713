#include "signerd/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace signerd {
namespace {

using namespace std::chrono_literals;

// shared/DESIGN.md's sketch, verbatim.
constexpr const char* kSketch = R"(server:
  listen: [127.0.0.1@5353]        # SOA queries, NOTIFY in, AXFR/IXFR out
  http: 127.0.0.1:8053            # /status /metrics /healthz, dashboard
  control: /run/signerd/control.sock
  state-dir: /var/lib/signerd     # SQLite lives here
hsm:
  module: /usr/lib/softhsm/libsofthsm2.so
  token-label: signerd
  pin-file: /etc/signerd/hsm.pin  # never the PIN itself in this file
tsig:
  - {name: xfr-key, algorithm: hmac-sha256, secret-file: /etc/signerd/xfr-key.b64}
policies:
  - name: standard
    keys: [{role: ksk, lifetime: unlimited, algorithm: ecdsap256sha256},
           {role: zsk, lifetime: P90D, algorithm: ecdsap256sha256}]
    nsec3param: {iterations: 0, optout: false, salt-length: 0}   # absent: NSEC
zones:
  - name: example.com
    primaries: [{address: 192.0.2.1@53, key: xfr-key}]
    notify: [{address: 192.0.2.10, key: xfr-key}]
    allow-transfer: [{address: 192.0.2.0/24, key: xfr-key}]
    policy: default                # built-in: one CSK, ECDSAP256SHA256, NSEC
    serial: keep                   # keep | increment | unixtime | date
)";

dns::Name name(const char* text) {
  dns::Name root;
  return *dns::Name::from_text(text, &root);
}

SocketAddress address(const char* text) { return *parse_socket_address(text, 53); }

// The error text of a config that must fail.
std::string errors_of(const std::string& text) {
  auto r = parse_config(text, "signerd.yaml");
  EXPECT_FALSE(r) << text;
  if (r) return "";
  EXPECT_EQ(r.error().code, base::Errc::malformed);
  return r.error().detail;
}

void expect_error(const std::string& text, const std::string& expected) {
  std::string got = errors_of(text);
  EXPECT_NE(got.find(expected), std::string::npos) << "expected: " << expected << "\ngot: " << got;
}

TEST(Config, DesignSketchParsesToTheValuesItSays) {
  auto r = parse_config(kSketch, "/etc/signerd/signerd.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  const Config& c = *r;
  EXPECT_EQ(c.server.listen, std::vector<SocketAddress>{address("127.0.0.1@5353")});
  EXPECT_EQ(c.server.http, address("127.0.0.1@8053"));
  EXPECT_EQ(c.server.control, "/run/signerd/control.sock");
  EXPECT_EQ(c.server.state_dir, "/var/lib/signerd");
  EXPECT_EQ(c.hsm.backend, KeyBackend::pkcs11);
  EXPECT_EQ(c.hsm.module, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(c.hsm.token_label, "signerd");
  EXPECT_EQ(c.hsm.pin_file, "/etc/signerd/hsm.pin");
  ASSERT_EQ(c.tsig.size(), 1u);
  EXPECT_EQ(c.tsig[0].name, name("xfr-key"));
  EXPECT_EQ(c.tsig[0].algorithm, "hmac-sha256");
  EXPECT_EQ(c.tsig[0].secret_file, "/etc/signerd/xfr-key.b64");

  ASSERT_EQ(c.policies.size(), 1u);
  const policy::Kasp& p = c.policies[0];
  EXPECT_EQ(p.name, "standard");
  ASSERT_EQ(p.keys.size(), 2u);
  EXPECT_EQ(p.keys[0], (policy::KeyPolicy{policy::Role::ksk, std::nullopt, 13, 0}));
  EXPECT_EQ(p.keys[1], (policy::KeyPolicy{policy::Role::zsk, 24h * 90, 13, 0}));
  EXPECT_EQ(p.nsec3, policy::Nsec3Policy{});
  EXPECT_EQ(p.signatures_validity, 24h * 14);  // untouched options keep BIND's defaults

  ASSERT_EQ(c.zones.size(), 1u);
  const ZoneConfig& z = c.zones[0];
  EXPECT_EQ(z.name, name("example.com."));
  ASSERT_EQ(z.primaries.size(), 1u);
  EXPECT_EQ(z.primaries[0].address, address("192.0.2.1@53"));
  EXPECT_EQ(z.primaries[0].key, name("xfr-key"));
  ASSERT_EQ(z.notify.size(), 1u);
  EXPECT_EQ(z.notify[0].address, address("192.0.2.10@53"));
  ASSERT_EQ(z.allow_transfer.size(), 1u);
  EXPECT_EQ(z.allow_transfer[0].prefix, *parse_address_prefix("192.0.2.0/24"));
  EXPECT_EQ(z.policy, "default");
  EXPECT_EQ(z.serial, policy::SerialPolicy::keep);
  EXPECT_EQ(c.find_policy(z.policy), policy::builtin_policy("default"));
  EXPECT_NE(c.find_zone(name("EXAMPLE.com")), nullptr);
}

TEST(Config, EmptyDocumentIsAllDefaults) {
  auto r = parse_config("# nothing yet\n", "signerd.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->server.state_dir, "/var/lib/signerd");
  EXPECT_EQ(r->hsm.module, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(r->hsm.token_label, "signerd");
  EXPECT_TRUE(r->server.listen.empty());
  EXPECT_FALSE(r->server.http);
}

TEST(Config, BuiltinPoliciesNeedNoDefinition) {
  auto r =
      parse_config("zones:\n  - {name: a.example, policy: default-nsec3}\n  - {name: b.example}\n", "x.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->zones[1].policy, "default");
  EXPECT_TRUE(r->find_policy("default-nsec3")->nsec3);
  expect_error("policies:\n  - name: default\n    keys: [{role: csk}]\n",
               "signerd.yaml:2: policies[0].name: 'default' is a built-in policy and cannot be redefined");
}

TEST(Config, RelativePathsResolveAgainstTheConfigDirectory) {
  auto r = parse_config(
      "server: {state-dir: state}\nhsm: {pin-file: ../pin, module: /abs/m.so}\n"
      "tsig: [{name: k, secret-file: keys/k.b64}]\n",
      "/etc/signerd/signerd.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->server.state_dir, "/etc/signerd/state");
  EXPECT_EQ(r->hsm.pin_file, "/etc/pin");
  EXPECT_EQ(r->hsm.module, "/abs/m.so");
  EXPECT_EQ(r->tsig[0].secret_file, "/etc/signerd/keys/k.b64");
}

TEST(Config, LoadConfigAnchorsPathsAtTheFileAndReportsUnreadableFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("signerd-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "signerd.yaml") << "hsm: {backend: pem, key-dir: keys}\n";
  auto r = load_config(dir / "signerd.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->hsm.backend, KeyBackend::pem);
  EXPECT_EQ(r->hsm.key_dir, dir / "keys");
  auto missing = load_config(dir / "nope.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, base::Errc::io);
  EXPECT_NE(missing.error().detail.find("nope.yaml"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Config, ErrorsNameFileLineAndField) {
  expect_error(
      "policies:\n  - name: p\n    keys:\n      - {role: ksk}\n      - {role: zsk, algorithm: foo}\n",
      "signerd.yaml:5: policies[0].keys[1].algorithm: unknown algorithm 'foo'");
  expect_error("server:\n  listen: [192.0.2.1@99999]\n", "signerd.yaml:2: server.listen[0]: bad address");
  expect_error("policies:\n  - name: p\n    dnskey-ttl: 1fortnight\n",
               "signerd.yaml:3: policies[0].dnskey-ttl: bad duration");
  expect_error("zones:\n  - name: a.example\n    serial: sometimes\n",
               "signerd.yaml:3: zones[0].serial: expected keep, increment, unixtime or date");
  expect_error("tsig: [{name: k, algorithm: hmac-md5, secret-file: k.b64}]\n",
               "signerd.yaml:1: tsig[0].algorithm: unknown TSIG algorithm 'hmac-md5'");
  expect_error("hsm:\n  backend: pem\n", "signerd.yaml:2: hsm.key-dir: missing");
  expect_error("zones:\n  - name: a..example\n", "signerd.yaml:2: zones[0].name: bad domain name");
}

TEST(Config, UnknownKeysAreErrors) {
  expect_error("server:\n  listen: [127.0.0.1]\n  lisen: [127.0.0.2]\n",
               "signerd.yaml:3: server.lisen: unknown key 'lisen'");
  expect_error("logging: {}\n", "signerd.yaml:1: logging: unknown key 'logging'");
  expect_error("policies:\n  - name: p\n    keys: [{role: csk, size: 256}]\n",
               "signerd.yaml:3: policies[0].keys[0].size: unknown key 'size'");
}

TEST(Config, DuplicateKeysAreErrors) {
  expect_error("hsm:\n  token-label: a\n  token-label: b\n",
               "signerd.yaml:3: hsm.token-label: duplicate key (first at line 2)");
}

TEST(Config, WrongTypesAreErrors) {
  expect_error("server: [127.0.0.1]\n", "signerd.yaml:1: server: expected a mapping, got a list");
  expect_error("hsm:\n  token-label: {a: b}\n",
               "signerd.yaml:2: hsm.token-label: expected a value, got a mapping");
  expect_error("policies:\n  - name: p\n    nsec3param: {optout: maybe}\n",
               "signerd.yaml:3: policies[0].nsec3param.optout: expected true or false, got 'maybe'");
  expect_error("policies:\n  - name: p\n    nsec3param: {iterations: -1}\n",
               "signerd.yaml:3: policies[0].nsec3param.iterations: expected a whole number");
}

// The parent and rollover options (BIND names; algorithm-rollover and
// checkds-interval are signerd's).
TEST(Config, ParentAndRolloverOptionsAreRead) {
  auto r = parse_config(
      "policies:\n  - name: p\n    keys: [{role: csk}]\n    cdnskey: false\n    cds-digest-types: [2, 4]\n   "
      " manual-mode: true\n"
      "    algorithm-rollover: liberal\n    checkds-interval: 5m\n",
      "signerd.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto p = r->find_policy("p");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->cdnskey);
  EXPECT_EQ(p->cds_digest_types, (std::vector<uint8_t>{2, 4}));
  EXPECT_TRUE(p->manual_mode);
  EXPECT_EQ(p->algorithm_rollover, policy::AlgorithmRollover::liberal);
  EXPECT_EQ(p->checkds_interval, std::chrono::minutes(5));
  auto defaults = parse_config("policies:\n  - name: p\n    keys: [{role: csk}]\n", "signerd.yaml");
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->find_policy("p")->cdnskey);
  EXPECT_EQ(defaults->find_policy("p")->cds_digest_types, (std::vector<uint8_t>{2}));
  EXPECT_EQ(defaults->find_policy("p")->algorithm_rollover, policy::AlgorithmRollover::conservative);
  expect_error("policies:\n  - name: p\n    keys: [{role: csk}]\n    algorithm-rollover: fast\n",
               "signerd.yaml:4: policies[0].algorithm-rollover: 'fast' is not conservative or liberal");
  expect_error("policies:\n  - name: p\n    cdnskey: maybe\n",
               "signerd.yaml:3: policies[0].cdnskey: expected true or false, got 'maybe'");
}

TEST(Config, ParentalAgentsNeedATsigKey) {
  auto r = parse_config(
      "tsig:\n  - {name: pk, algorithm: hmac-sha256, secret-file: /k}\nzones:\n  - name: a.example\n"
      "    parental-agents: [{address: 192.0.2.53@5300, key: pk}]\n",
      "signerd.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->zones[0].parental_agents.size(), 1u);
  EXPECT_EQ(r->zones[0].parental_agents[0].address.port, 5300);
  EXPECT_EQ(r->zones[0].parental_agents[0].key, name("pk."));
  expect_error("zones:\n  - name: a.example\n    parental-agents: [192.0.2.53]\n",
               "zones[0].parental-agents[0]: a parental agent needs a TSIG key");
}

TEST(Config, InlineSecretsAreRefused) {
  expect_error(
      "tsig:\n  - name: k\n    secret: c2VjcmV0\n",
      "signerd.yaml:3: tsig[0].secret: secrets are never written in the config: put it in a file and name "
      "it with secret-file");
  expect_error("hsm:\n  pin: 1234\n", "signerd.yaml:2: hsm.pin: the PIN is never written in the config");
}

TEST(Config, UndefinedPolicyAndTsigKeyAreErrors) {
  expect_error("zones:\n  - name: a.example\n    policy: strict\n",
               "signerd.yaml:3: zones[0].policy: policy 'strict' is not defined");
  expect_error("zones:\n  - name: a.example\n    primaries: [{address: 192.0.2.1, key: nokey}]\n",
               "signerd.yaml:3: zones[0].primaries[0].key: TSIG key 'nokey.' is not defined in tsig");
}

TEST(Config, InvalidPolicyPointsAtTheOffendingOption) {
  expect_error("policies:\n  - name: p\n    signatures-validity: 3d\n    signatures-refresh: 5d\n",
               "signerd.yaml:4: policies[0].signatures-refresh: 5d must be shorter than signatures-validity");
  expect_error("policies:\n  - name: p\n    keys: [{role: zsk}]\n",
               "signerd.yaml:3: policies[0].keys: ECDSAP256SHA256 has no key that signs the DNSKEY RRset");
  expect_error("policies:\n  - name: p\n    keys: [{role: csk}]\n    nsec3param:\n      iterations: 150\n",
               "signerd.yaml:5: policies[0].nsec3param.iterations: 150 is more than 100");
}

TEST(Config, SeveralErrorsComeOneLineEach) {
  // Zones are read last but reported in file order.
  std::string got =
      errors_of("zones: [{name: a.example, policy: nope}]\nserver: {bogus: 1}\nhsm: {pin: 1}\n");
  EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), 2) << got;
  EXPECT_EQ(got.rfind("signerd.yaml:1: zones[0].policy", 0), 0u) << got;
  EXPECT_NE(got.find("\nsignerd.yaml:2: server.bogus"), std::string::npos) << got;
  EXPECT_NE(got.find("\nsignerd.yaml:3: hsm.pin"), std::string::npos) << got;
}

TEST(Config, DuplicateNamesAreErrors) {
  expect_error("zones:\n  - name: a.example\n  - name: A.example.\n",
               "signerd.yaml:3: zones[1].name: zone 'a.example.' is defined twice");
  expect_error("tsig:\n  - {name: k, secret-file: a}\n  - {name: k, secret-file: b}\n",
               "signerd.yaml:3: tsig[1].name: TSIG key 'k.' is defined twice");
}

TEST(Config, MalformedYamlGivesALineAndNoCrash) {
  const char* cases[] = {
      "server:\n  listen: [127.0.0.1\nhsm: {}\n",  // unclosed flow sequence
      "server:\n  http: \"127.0.0.1\n",            // unclosed quote
      "zones:\n- name: a\n  - name: b\n",          // bad indentation
      "a: b: c\n",
      "\t- tab\n",
      "--- [1]\n--- [2]\n",
  };
  for (const char* text : cases) {
    std::string got = errors_of(text);
    EXPECT_EQ(got.rfind("signerd.yaml:", 0), 0u) << got;
    EXPECT_NE(got.find_first_of("0123456789"), std::string::npos) << got;
  }
  expect_error("server:\n  listen: [127.0.0.1\n", "YAML syntax error");
  expect_error(std::string(100000, '['), "signerd.yaml:1: YAML nested too deeply");
}

TEST(Address, IpAndIpAtPortForBothFamilies) {
  auto v4 = parse_socket_address("192.0.2.1", 53);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->to_string(), "192.0.2.1@53");
  EXPECT_EQ(parse_socket_address("192.0.2.1@5353", 53)->port, 5353);
  EXPECT_EQ(parse_socket_address("192.0.2.1:8053", 53)->to_string(), "192.0.2.1@8053");
  auto v6 = parse_socket_address("2001:db8::1", 53);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ip.family, IpAddress::Family::v6);
  EXPECT_EQ(v6->to_string(), "2001:db8::1@53");
  EXPECT_EQ(parse_socket_address("2001:db8::1@5353", 53)->to_string(), "2001:db8::1@5353");
  EXPECT_EQ(parse_socket_address("[::1]:8053", 53)->to_string(), "::1@8053");
  EXPECT_EQ(parse_socket_address("::1:53", 99)->port, 99);  // a valid IPv6 address, not a port
}

TEST(Address, BadPortsAndHostsAreRefused) {
  for (const char* text : {"192.0.2.1@0", "192.0.2.1@65536", "192.0.2.1@", "192.0.2.1@x", "@53", "host@53",
                           "192.0.2.256", "", "192.0.2.1:", "example.com", "2001:db8::g"}) {
    auto r = parse_socket_address(text, 53);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, base::Errc::malformed);
  }
  EXPECT_NE(parse_socket_address("192.0.2.1@70000", 53).error().detail.find("1 to 65535"), std::string::npos);
}

TEST(Address, PrefixesMatchTheirNetworksOnly) {
  auto net = parse_address_prefix("192.0.2.0/24");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(address("192.0.2.77").ip));
  EXPECT_FALSE(net->contains(address("192.0.3.1").ip));
  EXPECT_FALSE(net->contains(address("::1").ip));
  auto host = parse_address_prefix("2001:db8::5");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->length, 128);
  EXPECT_TRUE(parse_address_prefix("2001:db8::/32")->contains(address("2001:db8:1::1").ip));
  EXPECT_TRUE(parse_address_prefix("0.0.0.0/0")->contains(address("198.51.100.1").ip));
  auto host_bits = parse_address_prefix("192.0.2.1/24");
  ASSERT_FALSE(host_bits);
  EXPECT_NE(host_bits.error().detail.find("192.0.2.0/24"), std::string::npos);
  EXPECT_FALSE(parse_address_prefix("192.0.2.0/33"));
  EXPECT_FALSE(parse_address_prefix("2001:db8::/129"));
  EXPECT_FALSE(parse_address_prefix("192.0.2.0/"));
}

}  // namespace
}  // namespace signerd

namespace signerd {
namespace {

TEST(ConfigDaemon, UserAndTransferLimitsAreRead) {
  auto r = parse_config(
      "server: {user: signerd}\n"
      "zones:\n  - {name: a.example, max-records: 5000, max-transfer-size: 1048576}\n  - {name: b.example}\n",
      "x.yaml");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->server.user, "signerd");
  EXPECT_EQ(r->zones[0].max_records, 5000u);
  EXPECT_EQ(r->zones[0].max_transfer_bytes, 1048576u);
  EXPECT_EQ(r->zones[1].max_records, 10'000'000u);  // the default
}

TEST(ConfigDaemon, TransferLimitsMustBeNumbersInRange) {
  auto r = parse_config("zones:\n  - {name: a.example, max-records: lots}\n", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("x.yaml:2: zones[0].max-records"), std::string::npos) << r.error().detail;
  r = parse_config("zones:\n  - {name: a.example, max-records: 99999999999}\n", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("max-records"), std::string::npos) << r.error().detail;
}

TEST(ConfigDaemon, ZoneConfigsCompareByValueForReload) {
  auto a = parse_config("zones:\n  - {name: a.example, serial: increment}\n", "x.yaml");
  auto b = parse_config("zones:\n  - {name: A.example, serial: increment}\n", "y.yaml");
  auto c = parse_config("zones:\n  - {name: a.example, serial: keep}\n", "x.yaml");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->zones[0] == b->zones[0]);
  EXPECT_FALSE(a->zones[0] == c->zones[0]);
}

}  // namespace
// Going insecure is said on purpose, `keys: []`; a policy without a keys
// field is refused, so a typo never unsigns a zone.
TEST(Config, EmptyKeyListGoesInsecureAMissingOneIsRefused) {
  auto c = parse_config("policies: [{name: off, keys: [], dnskey-ttl: 5s}]\n", "signerd.yaml");
  ASSERT_TRUE(c) << c.error().detail;
  ASSERT_EQ(c->policies.size(), 1u);
  EXPECT_TRUE(c->policies[0].keys.empty());
  EXPECT_TRUE(c->policies[0].insecure);
  expect_error("policies: [{name: off, dnskey-ttl: 5s}]\n", "at least one key is needed");
  auto builtin = parse_config(
      "zones: [{name: example., primaries: [{address: 192.0.2.1}], policy: insecure}]\n", "signerd.yaml");
  ASSERT_TRUE(builtin) << builtin.error().detail;
  EXPECT_TRUE(builtin->find_policy("insecure")->insecure);
}

// REVIEW H2: the daemon loads TSIG keys at start only, so a reload must
// see any change of the section (a zone naming a new key would otherwise
// transfer unsigned).
TEST(Config, TsigChangeNamesWhatDiffers) {
  auto with = [](const char* keys) {
    auto c = parse_config(std::string("tsig: [") + keys + "]\n", "signerd.yaml");
    EXPECT_TRUE(c) << c.error().detail;
    return c ? *c : Config{};
  };
  const Config running = with("{name: k1, secret-file: /k1}");
  EXPECT_EQ(tsig_change(running, with("{name: K1., secret-file: /k1}")), std::nullopt);
  EXPECT_EQ(tsig_change(running, with("{name: k1, secret-file: /k1}, {name: k2, secret-file: /k2}")),
            "key k2. added");
  EXPECT_EQ(tsig_change(running, with("{name: k2, secret-file: /k1}")), "key k2. added");
  EXPECT_EQ(tsig_change(running, with("{name: k1, secret-file: /other}")), "key k1.: secret-file changed");
  EXPECT_EQ(tsig_change(running, with("{name: k1, algorithm: hmac-sha512, secret-file: /k1}")),
            "key k1.: algorithm changed");
  EXPECT_EQ(tsig_change(running, Config{}), "key k1. removed");
}

}  // namespace signerd
