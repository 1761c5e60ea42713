#include "signerd/config.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "signerd/config_yaml.hpp"

namespace signerd {
namespace {

using config_detail::ConfigReader;
using config_detail::MapReader;

constexpr uint16_t kDnsPort = 53;
constexpr uint16_t kHttpPort = 8053;

std::optional<SocketAddress> read_address(ConfigReader& r, const YAML::Node& node, const std::string& field,
                                          uint16_t default_port) {
  auto text = r.string(node, field);
  if (!text) return std::nullopt;
  auto address = parse_socket_address(*text, default_port);
  if (!address) r.error(node, field, address.error().detail);
  return address ? std::optional(*address) : std::nullopt;
}

std::optional<dns::Name> read_name(ConfigReader& r, const YAML::Node& node, const std::string& field) {
  auto text = r.string(node, field);
  if (!text) return std::nullopt;
  dns::Name root;
  auto name = text->empty() ? Result<dns::Name>(base::make_error(base::Errc::malformed, "empty name"))
                            : dns::Name::from_text(*text, &root);
  if (!name) r.error(node, field, "bad domain name '" + *text + "': " + name.error().detail);
  return name ? std::optional(name->lowercased()) : std::nullopt;
}

void read_server(ConfigReader& r, const YAML::Node& node, ServerConfig& out) {
  MapReader m(r, node, "server");
  if (!m.ok()) return;
  if (auto v = m.get("listen")) {
    r.sequence(*v, m.field("listen"), [&](const YAML::Node& item, const std::string& field) {
      if (auto a = read_address(r, item, field, kDnsPort)) out.listen.push_back(*a);
    });
  }
  if (auto v = m.get("http")) out.http = read_address(r, *v, m.field("http"), kHttpPort);
  if (auto v = m.get("control")) out.control = r.path(*v, m.field("control")).value_or("");
  if (auto v = m.get("state-dir")) out.state_dir = r.path(*v, m.field("state-dir")).value_or(out.state_dir);
  if (auto v = m.get("user")) out.user = r.string(*v, m.field("user")).value_or("");
  m.finish();
}

void read_hsm(ConfigReader& r, const YAML::Node& node, HsmConfig& out) {
  MapReader m(r, node, "hsm");
  if (!m.ok()) return;
  if (auto v = m.get("backend")) {
    auto text = r.string(*v, m.field("backend"));
    if (text == "pem") {
      out.backend = KeyBackend::pem;
    } else if (text && *text != "pkcs11") {
      r.error(*v, m.field("backend"), "expected pkcs11 or pem, got '" + *text + "'");
    }
  }
  if (auto v = m.get("module")) out.module = r.path(*v, m.field("module")).value_or(out.module);
  if (auto v = m.get("token-label"))
    out.token_label = r.string(*v, m.field("token-label")).value_or(out.token_label);
  if (auto v = m.get("pin-file")) out.pin_file = r.path(*v, m.field("pin-file")).value_or("");
  if (auto v = m.get("key-dir")) out.key_dir = r.path(*v, m.field("key-dir")).value_or("");
  if (out.backend == KeyBackend::pem && !m.has("key-dir")) {
    r.error(m.line(), m.field("key-dir"), "missing: the pem backend keeps its keys there");
  }
  if (out.backend == KeyBackend::pkcs11 && m.has("key-dir")) {
    r.error(m.line_of_key("key-dir"), m.field("key-dir"), "only for 'backend: pem'; keys stay in the HSM");
  }
  m.finish();
}

// RFC 8945 section 6: the HMAC algorithms; HMAC-MD5 is left out on purpose.
std::string read_tsig_algorithm(ConfigReader& r, const YAML::Node& node, const std::string& field) {
  static constexpr std::string_view kKnown[] = {"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
                                                "hmac-sha512"};
  auto text = r.string(node, field);
  if (!text) return "hmac-sha256";
  std::string lower = *text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(std::begin(kKnown), std::end(kKnown), lower) == std::end(kKnown)) {
    r.error(node, field,
            "unknown TSIG algorithm '" + *text +
                "' (hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)");
  }
  return lower;
}

void read_tsig_key(ConfigReader& r, const YAML::Node& node, const std::string& field,
                   std::vector<TsigKey>& out) {
  MapReader m(r, node, field);
  if (!m.ok()) return;
  TsigKey key;
  auto name_node = m.get("name");
  auto name = name_node ? read_name(r, *name_node, m.field("name")) : std::nullopt;
  if (!name_node) r.error(m.line(), field, "missing name");
  if (auto v = m.get("algorithm")) key.algorithm = read_tsig_algorithm(r, *v, m.field("algorithm"));
  if (auto v = m.get("secret-file")) key.secret_file = r.path(*v, m.field("secret-file")).value_or("");
  if (!m.has("secret-file"))
    r.error(m.line(), m.field("secret-file"), "missing: the file holding the base64 secret");
  m.finish();
  if (!name) return;
  for (const auto& other : out) {
    if (other.name == *name)
      r.error(*name_node, m.field("name"), "TSIG key '" + name->to_text() + "' is defined twice");
  }
  key.name = *name;
  out.push_back(std::move(key));
}

// A key reference must name a key of the `tsig` section.
std::optional<dns::Name> read_key_ref(ConfigReader& r, const YAML::Node& node, const std::string& field,
                                      const Config& config) {
  auto name = read_name(r, node, field);
  if (name && !config.find_tsig(*name)) {
    r.error(node, field, "TSIG key '" + name->to_text() + "' is not defined in tsig");
  }
  return name;
}

// {address, key} or, for short, just the address.
template <class Entry, class ParseAddress>
void read_peers(ConfigReader& r, const YAML::Node& node, const std::string& field, const Config& config,
                std::vector<Entry>& out, ParseAddress parse) {
  r.sequence(node, field, [&](const YAML::Node& item, const std::string& item_field) {
    Entry entry;
    YAML::Node address_node = item;
    std::optional<MapReader> m;
    if (item.IsMap()) {
      m.emplace(r, item, item_field);
      auto a = m->get("address");
      if (!a) r.error(m->line(), item_field, "missing address");
      if (auto k = m->get("key")) entry.key = read_key_ref(r, *k, m->field("key"), config);
      m->finish();
      if (!a) return;
      address_node = *a;
    }
    std::string address_field = m ? m->field("address") : item_field;
    auto text = r.string(address_node, address_field);
    if (!text) return;
    auto parsed = parse(*text);
    if (!parsed) return r.error(address_node, address_field, parsed.error().detail);
    if constexpr (std::is_same_v<Entry, Peer>) entry.address = *parsed;
    if constexpr (std::is_same_v<Entry, TransferAcl>) entry.prefix = *parsed;
    out.push_back(std::move(entry));
  });
}

void read_zone_options(ConfigReader& r, MapReader& m, const Config& config, ZoneConfig& zone) {
  auto dns_address = [](std::string_view t) { return parse_socket_address(t, kDnsPort); };
  if (auto v = m.get("primaries"))
    read_peers(r, *v, m.field("primaries"), config, zone.primaries, dns_address);
  if (auto v = m.get("notify")) read_peers(r, *v, m.field("notify"), config, zone.notify, dns_address);
  if (auto v = m.get("parental-agents")) {
    read_peers(r, *v, m.field("parental-agents"), config, zone.parental_agents, dns_address);
    // Both BIND and Knot trust an unauthenticated DS answer here; we do
    // not (KASP.md 4.4), and DNSSEC validation of the answer is not built.
    for (size_t i = 0; i < zone.parental_agents.size(); ++i) {
      if (!zone.parental_agents[i].key)
        r.error(*v, m.field("parental-agents") + "[" + std::to_string(i) + "]",
                "a parental agent needs a TSIG key (key: NAME): its DS answers are trusted only when "
                "authenticated, and DNSSEC validation of DS answers is not built yet");
    }
  }
  if (auto v = m.get("allow-transfer")) {
    read_peers(r, *v, m.field("allow-transfer"), config, zone.allow_transfer, parse_address_prefix);
  }
  if (auto v = m.get("policy")) {
    zone.policy = r.string(*v, m.field("policy")).value_or(zone.policy);
    if (!config.find_policy(zone.policy)) {
      r.error(*v, m.field("policy"),
              "policy '" + zone.policy + "' is not defined (built in: default, default-nsec3)");
    }
  }
  if (auto v = m.get("serial")) {
    auto text = r.string(*v, m.field("serial"));
    auto serial = text ? policy::serial_policy_from_text(*text) : std::nullopt;
    if (serial) zone.serial = *serial;
    if (text && !serial) {
      r.error(*v, m.field("serial"), "expected keep, increment, unixtime or date, got '" + *text + "'");
    }
  }
  if (auto v = m.get("max-records")) {
    zone.max_records = r.integer(*v, m.field("max-records"), 1'000'000'000).value_or(zone.max_records);
  }
  if (auto v = m.get("max-transfer-size")) {
    zone.max_transfer_bytes =
        r.integer(*v, m.field("max-transfer-size"), 64ull << 30).value_or(zone.max_transfer_bytes);
  }
}

void read_zone(ConfigReader& r, const YAML::Node& node, const std::string& field, Config& config) {
  MapReader m(r, node, field);
  if (!m.ok()) return;
  ZoneConfig zone;
  auto name_node = m.get("name");
  auto name = name_node ? read_name(r, *name_node, m.field("name")) : std::nullopt;
  if (!name_node) r.error(m.line(), field, "missing name");
  read_zone_options(r, m, config, zone);
  m.finish();
  if (!name) return;
  if (config.find_zone(*name)) {
    r.error(*name_node, m.field("name"), "zone '" + name->to_text() + "' is defined twice");
  }
  zone.name = *name;
  config.zones.push_back(std::move(zone));
}

// Sections are read in dependency order, whatever their order in the file:
// zones refer to TSIG keys and policies.
void read_document(ConfigReader& r, const YAML::Node& root, Config& config) {
  if (root.IsNull()) return;
  MapReader m(r, root, "");
  if (!m.ok()) return;
  if (auto v = m.get("server")) read_server(r, *v, config.server);
  if (auto v = m.get("hsm")) read_hsm(r, *v, config.hsm);
  if (auto v = m.get("tsig")) {
    r.sequence(*v, "tsig",
               [&](const YAML::Node& item, const std::string& f) { read_tsig_key(r, item, f, config.tsig); });
  }
  if (auto v = m.get("policies")) config_detail::read_policies(r, *v, config.policies);
  if (auto v = m.get("zones")) {
    r.sequence(*v, "zones",
               [&](const YAML::Node& item, const std::string& f) { read_zone(r, item, f, config); });
  }
  m.finish();
}

Result<Config> parse_at(std::string_view text, const std::filesystem::path& file_name,
                        const std::filesystem::path& base_dir) {
  ConfigReader reader(file_name.string(), base_dir);
  Config config;
  config.file = file_name;
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.size() > 1)
      reader.error(config_detail::line_of(documents[1]), "", "more than one YAML document");
    if (!documents.empty()) read_document(reader, documents[0], config);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's guard against stack exhaustion
    reader.error(e.mark.is_null() ? 0 : e.mark.line + 1, "", "YAML nested too deeply");
  } catch (const YAML::ParserException& e) {
    reader.error(e.mark.is_null() ? 0 : e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {  // yaml-cpp's other failures: a bug of ours, reported, not fatal
    reader.error(e.mark.is_null() ? 0 : e.mark.line + 1, "", std::string("cannot read YAML: ") + e.what());
  }
  if (reader.error_count() == 0) return config;
  return base::make_error(base::Errc::malformed, reader.report());
}

}  // namespace

std::optional<policy::Kasp> Config::find_policy(std::string_view name) const {
  for (const auto& p : policies) {
    if (p.name == name) return p;
  }
  return policy::builtin_policy(name);
}

std::optional<std::string> tsig_change(const Config& running, const Config& fresh) {
  for (const auto& key : fresh.tsig) {
    const TsigKey* old = running.find_tsig(key.name);
    if (!old) return "key " + key.name.to_text() + " added";
    if (old->algorithm != key.algorithm) return "key " + key.name.to_text() + ": algorithm changed";
    if (old->secret_file != key.secret_file) return "key " + key.name.to_text() + ": secret-file changed";
  }
  for (const auto& key : running.tsig)
    if (!fresh.find_tsig(key.name)) return "key " + key.name.to_text() + " removed";
  return std::nullopt;
}

const TsigKey* Config::find_tsig(const dns::Name& name) const {
  for (const auto& key : tsig) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

const ZoneConfig* Config::find_zone(const dns::Name& name) const {
  for (const auto& zone : zones) {
    if (zone.name == name) return &zone;
  }
  return nullptr;
}

Result<Config> parse_config(std::string_view text, const std::filesystem::path& file_name) {
  return parse_at(text, file_name, file_name.parent_path());
}

Result<Config> load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return base::make_error(base::Errc::io, path.string() + ": cannot read: " + std::strerror(errno));
  }
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return parse_at(text.str(), path, ec ? path.parent_path() : absolute.parent_path());
}

}  // namespace signerd
