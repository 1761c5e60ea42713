// signerd/config.hpp — the daemon's YAML configuration as plain values.
//
// Owns: the Config value, reading it from YAML (shared/DESIGN.md's sketch,
// BIND dnssec-policy option names), and the address values it holds. Does not
// own: the policy model and its checks (policy/), opening the files a config
// names (PIN, TSIG secrets, keys: the wiring reads them), or defaults that
// depend on the host.
//
// Every relative path in a config file is resolved against the directory of
// that config file, never against the current directory, so that
// `signerd --config /etc/signerd/signerd.yaml` means the same from anywhere.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "policy/kasp.hpp"
#include "policy/serial_policy.hpp"

namespace signerd {

using base::Result;

// An IPv4 or IPv6 address; v4 uses the first 4 bytes.
struct IpAddress {
  enum class Family : uint8_t { v4, v6 };
  Family family = Family::v4;
  std::array<uint8_t, 16> bytes{};

  size_t size() const noexcept { return family == Family::v4 ? 4 : 16; }
  std::string to_string() const;  // "192.0.2.1", "2001:db8::1"
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct SocketAddress {
  IpAddress ip;
  uint16_t port = 53;

  std::string to_string() const;  // "192.0.2.1@53", "2001:db8::1@53"
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

// A network for ACLs: "192.0.2.0/24", "2001:db8::/32"; a bare address is a
// host (/32, /128).
struct AddressPrefix {
  IpAddress ip;
  uint8_t length = 32;

  bool contains(const IpAddress& address) const noexcept;
  std::string to_string() const;  // "192.0.2.0/24"
  friend bool operator==(const AddressPrefix&, const AddressPrefix&) = default;
};

// "IP" (IPv4 or IPv6), "IP@PORT", and for the HTTP habit "IPv4:PORT" and
// "[IPv6]:PORT"; a bare IPv6 address never carries a port after a colon. The
// port is 1-65535; without one, `default_port`. Errc::malformed, quoting the text.
Result<SocketAddress> parse_socket_address(std::string_view text, uint16_t default_port);
// "IP" or "IP/LEN"; host bits past LEN must be zero (as BIND's ACLs demand).
Result<AddressPrefix> parse_address_prefix(std::string_view text);

struct ServerConfig {
  std::vector<SocketAddress>
      listen;  // DNS: SOA queries, NOTIFY in, AXFR/IXFR out; port 53 unless given; empty: none
  std::optional<SocketAddress> http;  // /status /metrics /healthz; port 8053 unless given; nullopt: no HTTP
  std::filesystem::path control;      // control socket; empty: none
  std::filesystem::path state_dir = "/var/lib/signerd";
  // Started as root, signerd binds its sockets, opens the store and the
  // token, then drops to this user and its group; empty: no change.
  std::string user;
};

enum class KeyBackend : uint8_t { pkcs11, pem };

struct HsmConfig {
  KeyBackend backend = KeyBackend::pkcs11;
  std::filesystem::path module = "/usr/lib/softhsm/libsofthsm2.so";  // pkcs11
  std::string token_label = "signerd";                               // pkcs11
  std::filesystem::path pin_file;                                    // pkcs11; empty: not set
  std::filesystem::path key_dir;                                     // pem; required there
};

struct TsigKey {
  dns::Name name;
  std::string algorithm = "hmac-sha256";  // lower case: hmac-sha1|-sha224|-sha256|-sha384|-sha512
  std::filesystem::path secret_file;      // base64 secret; never the secret itself
  friend bool operator==(const TsigKey&, const TsigKey&) = default;
};

// A primary to transfer from or a secondary to notify.
struct Peer {
  SocketAddress address;
  std::optional<dns::Name> key;  // TSIG key name; nullopt: unsigned
  friend bool operator==(const Peer&, const Peer&) = default;
};

struct TransferAcl {
  AddressPrefix prefix;
  std::optional<dns::Name> key;  // required TSIG key; nullopt: address alone
  friend bool operator==(const TransferAcl&, const TransferAcl&) = default;
};

struct ZoneConfig {
  dns::Name name;
  std::vector<Peer> primaries;
  std::vector<Peer> notify;
  std::vector<TransferAcl> allow_transfer;
  // Where the parent's DS RRset is asked for (KASP.md 4.5): every address,
  // each round. Each needs a TSIG key until DS answers are validated with
  // DNSSEC.
  std::vector<Peer> parental_agents;
  std::string policy = "default";
  policy::SerialPolicy serial = policy::SerialPolicy::keep;
  // A transfer in over either limit is refused and changes nothing.
  uint64_t max_records = 10'000'000;
  uint64_t max_transfer_bytes = 2ull << 30;
  friend bool operator==(const ZoneConfig&, const ZoneConfig&) = default;
};

struct Config {
  std::filesystem::path file;  // where it was read from, as given
  ServerConfig server;
  HsmConfig hsm;
  std::vector<TsigKey> tsig;
  std::vector<policy::Kasp> policies;  // the file's own; built-ins are not copied here
  std::vector<ZoneConfig> zones;

  // A policy of the file, or a built-in one ("default", "default-nsec3").
  std::optional<policy::Kasp> find_policy(std::string_view name) const;
  const TsigKey* find_tsig(const dns::Name& name) const;  // case-insensitive
  const ZoneConfig* find_zone(const dns::Name& name) const;
};

// How the `tsig` section of `fresh` differs from `running` ("key k2.
// added", "key k1.: secret-file changed", …), or nullopt when it does not.
// The daemon loads TSIG keys at start only, so a SIGHUP with another
// section is refused: a zone naming a key the running daemon lacks would
// otherwise transfer unsigned (REVIEW H2).
std::optional<std::string> tsig_change(const Config& running, const Config& fresh);

// Parses a whole config. `file_name` names the file in messages and its
// directory anchors relative paths. On failure, Errc::malformed with every
// problem found, one per line: "FILE:LINE: FIELD: MESSAGE", e.g.
// "signerd.yaml:12: policies[0].keys[1].algorithm: unknown algorithm 'foo'".
// Refused: YAML syntax errors, unknown keys, duplicate keys, wrong types,
// inline secrets (`secret:`, `pin:`), names of undefined policies or TSIG
// keys, redefined built-in policies, duplicate names, invalid policies
// (policy::check). An empty document is a config of defaults.
Result<Config> parse_config(std::string_view text, const std::filesystem::path& file_name);

// Reads `path` and parses it; relative paths inside resolve against the
// absolute directory of `path`. Errc::io when the file cannot be read.
Result<Config> load_config(const std::filesystem::path& path);

}  // namespace signerd
