#include "signerd/config_yaml.hpp"

#include <algorithm>
#include <charconv>

namespace signerd::config_detail {
namespace {

const char* kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

std::string secret_hint(const std::string& key) {
  if (key == "secret")
    return "secrets are never written in the config: put it in a file and name it with secret-file";
  if (key == "pin")
    return "the PIN is never written in the config: put it in a file and name it with pin-file";
  return "unknown key '" + key + "'";
}

}  // namespace

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

void ConfigReader::error(int line, const std::string& field, const std::string& message) {
  std::string out = file_ + ":";
  if (line > 0) out += std::to_string(line) + ":";
  out += " ";
  if (!field.empty()) out += field + ": ";
  errors_.emplace_back(line, out + message);
}

std::string ConfigReader::report() const {
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [line, text] : sorted) out += (out.empty() ? "" : "\n") + text;
  return out;
}

void ConfigReader::error(const YAML::Node& at, const std::string& field, const std::string& message) {
  error(line_of(at), field, message);
}

std::filesystem::path ConfigReader::resolve(const std::string& text) const {
  std::filesystem::path p(text);
  if (p.is_absolute() || base_dir_.empty()) return p.lexically_normal();
  return (base_dir_ / p).lexically_normal();
}

std::optional<std::string> ConfigReader::string(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) {
    error(node, field, std::string("expected a value, got ") + kind(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::filesystem::path> ConfigReader::path(const YAML::Node& node, const std::string& field) {
  auto text = string(node, field);
  if (!text) return std::nullopt;
  if (text->empty()) {
    error(node, field, "empty path");
    return std::nullopt;
  }
  return resolve(*text);
}

std::optional<bool> ConfigReader::boolean(const YAML::Node& node, const std::string& field) {
  auto text = string(node, field);
  if (!text) return std::nullopt;
  bool value = false;
  if (!YAML::convert<bool>::decode(node, value)) {
    error(node, field, "expected true or false, got '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> ConfigReader::integer(const YAML::Node& node, const std::string& field,
                                              uint64_t max) {
  auto text = string(node, field);
  if (!text) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value > max) {
    error(node, field, "expected a whole number from 0 to " + std::to_string(max) + ", got '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<policy::Seconds> ConfigReader::duration(const YAML::Node& node, const std::string& field) {
  auto text = string(node, field);
  if (!text) return std::nullopt;
  auto value = policy::parse_duration(*text);
  if (!value) {
    error(node, field, value.error().detail);
    return std::nullopt;
  }
  return *value;
}

void ConfigReader::sequence(const YAML::Node& node, const std::string& field,
                            const std::function<void(const YAML::Node&, const std::string&)>& each) {
  if (node.IsNull()) return;
  if (!node.IsSequence()) {
    each(node, field + "[0]");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) each(node[i], field + "[" + std::to_string(i) + "]");
}

MapReader::MapReader(ConfigReader& reader, const YAML::Node& node, std::string path)
    : reader_(reader), path_(std::move(path)), line_(line_of(node)) {
  if (!node.IsMap()) {
    reader_.error(node, path_, std::string("expected a mapping, got ") + kind(node));
    return;
  }
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    int key_line = line_of(it->first);
    if (!it->first.IsScalar()) {
      reader_.error(key_line, path_, "keys must be plain names");
      continue;
    }
    std::string key = it->first.Scalar();
    if (has(key)) {
      reader_.error(key_line, field(key),
                    "duplicate key (first at line " + std::to_string(line_of_key(key)) + ")");
      continue;
    }
    entries_.push_back({key, it->second, key_line, false});
  }
}

std::optional<YAML::Node> MapReader::get(const std::string& key) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.taken = true;
      return e.value;
    }
  }
  return std::nullopt;
}

bool MapReader::has(const std::string& key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return true;
  }
  return false;
}

int MapReader::line_of_key(const std::string& key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e.line;
  }
  return line_;
}

void MapReader::finish() {
  for (const auto& e : entries_) {
    if (!e.taken) reader_.error(e.line, field(e.key), secret_hint(e.key));
  }
}

}  // namespace signerd::config_detail
