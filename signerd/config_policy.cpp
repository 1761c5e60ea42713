// The `policies:` section: BIND dnssec-policy options in YAML.
#include <map>

#include "signerd/config_yaml.hpp"

namespace signerd::config_detail {
namespace {

using policy::Kasp;
using Lines = std::map<std::string, int>;  // field relative to the policy -> line

constexpr std::pair<const char*, policy::Seconds Kasp::*> kDurations[] = {
    {"dnskey-ttl", &Kasp::dnskey_ttl},
    {"signatures-validity", &Kasp::signatures_validity},
    {"signatures-validity-dnskey", &Kasp::signatures_validity_dnskey},
    {"signatures-refresh", &Kasp::signatures_refresh},
    {"signatures-jitter", &Kasp::signatures_jitter},
    {"publish-safety", &Kasp::publish_safety},
    {"retire-safety", &Kasp::retire_safety},
    {"purge-keys", &Kasp::purge_keys},
    {"zone-propagation-delay", &Kasp::zone_propagation_delay},
    {"parent-ds-ttl", &Kasp::parent_ds_ttl},
    {"parent-propagation-delay", &Kasp::parent_propagation_delay},
    {"max-zone-ttl", &Kasp::max_zone_ttl},
    {"checkds-interval", &Kasp::checkds_interval},
};

// The parent and rollover options beyond durations (BIND names; the last
// two are signerd's).
void read_parent_options(ConfigReader& reader, MapReader& m, Kasp& kasp, Lines& lines) {
  for (const char* key : {"cdnskey", "cds-digest-types", "manual-mode", "algorithm-rollover"})
    lines[key] = m.line_of_key(key);
  if (auto v = m.get("cdnskey")) {
    if (auto b = reader.boolean(*v, m.field("cdnskey"))) kasp.cdnskey = *b;
  }
  if (auto v = m.get("manual-mode")) {
    if (auto b = reader.boolean(*v, m.field("manual-mode"))) kasp.manual_mode = *b;
  }
  if (auto v = m.get("cds-digest-types")) {
    kasp.cds_digest_types.clear();
    reader.sequence(*v, m.field("cds-digest-types"),
                    [&](const YAML::Node& item, const std::string& item_field) {
                      if (auto n = reader.integer(item, item_field, 255))
                        kasp.cds_digest_types.push_back(static_cast<uint8_t>(*n));
                    });
  }
  if (auto v = m.get("algorithm-rollover")) {
    if (auto text = reader.string(*v, m.field("algorithm-rollover"))) {
      if (*text == "conservative") {
        kasp.algorithm_rollover = policy::AlgorithmRollover::conservative;
      } else if (*text == "liberal") {
        kasp.algorithm_rollover = policy::AlgorithmRollover::liberal;
      } else {
        reader.error(*v, m.field("algorithm-rollover"), "'" + *text + "' is not conservative or liberal");
      }
    }
  }
}

constexpr const char* kAlgorithmList =
    "RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, ED25519, ED448";

void read_algorithm(ConfigReader& reader, const YAML::Node& node, const std::string& field,
                    policy::KeyPolicy& key) {
  auto text = reader.string(node, field);
  if (!text) return;
  auto alg = policy::algorithm_from_text(*text);
  if (!alg) {
    reader.error(node, field, "unknown algorithm '" + *text + "' (supported: " + kAlgorithmList + ")");
    return;
  }
  key.algorithm = *alg;
}

policy::KeyPolicy read_key(ConfigReader& reader, const YAML::Node& node, const std::string& field,
                           const std::string& relative, Lines& lines) {
  policy::KeyPolicy key;
  MapReader m(reader, node, field);
  if (!m.ok()) return key;
  lines[relative] = m.line();
  for (const char* name : {"lifetime", "algorithm", "bits"})
    lines[relative + "." + name] = m.line_of_key(name);
  if (auto v = m.get("role")) {
    if (auto text = reader.string(*v, m.field("role"))) {
      if (auto role = policy::role_from_text(*text)) {
        key.role = *role;
      } else {
        reader.error(*v, m.field("role"), "expected csk, ksk or zsk, got '" + *text + "'");
      }
    }
  } else {
    reader.error(m.line(), field, "missing role (csk, ksk or zsk)");
  }
  if (auto v = m.get("lifetime")) {
    if (auto text = reader.string(*v, m.field("lifetime"))) {
      auto lifetime = policy::parse_lifetime(*text);
      if (lifetime) key.lifetime = *lifetime;
      if (!lifetime) reader.error(*v, m.field("lifetime"), lifetime.error().detail);
    }
  }
  if (auto v = m.get("algorithm")) read_algorithm(reader, *v, m.field("algorithm"), key);
  if (auto v = m.get("bits")) {
    if (auto bits = reader.integer(*v, m.field("bits"), 65535)) key.bits = static_cast<uint16_t>(*bits);
  }
  m.finish();
  return key;
}

void read_nsec3(ConfigReader& reader, const YAML::Node& node, const std::string& field, Kasp& kasp,
                Lines& lines) {
  kasp.nsec3 = policy::Nsec3Policy{};
  if (node.IsNull()) return;  // `nsec3param:` alone, as BIND's `nsec3param;`: the defaults
  MapReader m(reader, node, field);
  if (!m.ok()) return;
  lines["nsec3param.iterations"] = m.line_of_key("iterations");
  if (auto v = m.get("iterations")) {
    if (auto n = reader.integer(*v, m.field("iterations"), 65535))
      kasp.nsec3->iterations = static_cast<uint16_t>(*n);
  }
  if (auto v = m.get("optout")) {
    if (auto b = reader.boolean(*v, m.field("optout"))) kasp.nsec3->optout = *b;
  }
  if (auto v = m.get("salt-length")) {
    if (auto n = reader.integer(*v, m.field("salt-length"), 255))
      kasp.nsec3->salt_length = static_cast<uint8_t>(*n);
  }
  m.finish();
}

void read_policy_name(ConfigReader& reader, MapReader& m, Kasp& kasp, const std::vector<Kasp>& earlier) {
  auto v = m.get("name");
  if (!v) {
    reader.error(m.line(), m.path(), "missing name");
    return;
  }
  auto name = reader.string(*v, m.field("name"));
  if (!name) return;
  kasp.name = *name;
  if (policy::builtin_policy(*name)) {
    reader.error(*v, m.field("name"), "'" + *name + "' is a built-in policy and cannot be redefined");
  }
  for (const auto& other : earlier) {
    if (other.name == *name) reader.error(*v, m.field("name"), "policy '" + *name + "' is defined twice");
  }
}

Kasp read_policy(ConfigReader& reader, const YAML::Node& node, const std::string& field,
                 const std::vector<Kasp>& earlier) {
  Kasp kasp;
  Lines lines;
  size_t errors_before = reader.error_count();
  MapReader m(reader, node, field);
  if (!m.ok()) return kasp;
  read_policy_name(reader, m, kasp, earlier);
  for (const auto& [key, member] : kDurations) {
    lines[key] = m.line_of_key(key);
    if (auto v = m.get(key)) {
      if (auto d = reader.duration(*v, m.field(key))) kasp.*member = *d;
    }
  }
  lines["keys"] = m.line_of_key("keys");
  if (auto v = m.get("keys")) {
    reader.sequence(*v, m.field("keys"), [&](const YAML::Node& item, const std::string& item_field) {
      std::string relative = "keys[" + std::to_string(kasp.keys.size()) + "]";
      kasp.keys.push_back(read_key(reader, item, item_field, relative, lines));
    });
    // `keys: []` said on purpose: the zone goes back to unsigned, on this
    // policy's timings (the built-in "insecure" has the default ones).
    if (v->IsSequence() && v->size() == 0) kasp.insecure = true;
  }
  if (auto v = m.get("nsec3param")) read_nsec3(reader, *v, m.field("nsec3param"), kasp, lines);
  read_parent_options(reader, m, kasp, lines);
  m.finish();
  if (reader.error_count() != errors_before) return kasp;  // checks on half-read values would mislead
  for (const auto& problem : policy::check(kasp)) {
    auto it = lines.find(problem.field);
    int line = it != lines.end() ? it->second : m.line();
    reader.error(line, field + "." + problem.field, problem.message);
  }
  return kasp;
}

}  // namespace

void read_policies(ConfigReader& reader, const YAML::Node& node, std::vector<Kasp>& out) {
  reader.sequence(node, "policies", [&](const YAML::Node& item, const std::string& field) {
    out.push_back(read_policy(reader, item, field, out));
  });
}

}  // namespace signerd::config_detail
