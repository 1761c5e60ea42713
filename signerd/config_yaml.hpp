// signerd/config_yaml.hpp — internal to config*.cpp: reading YAML nodes with
// errors that name file, line and field, collected rather than thrown.
//
// Owns: ConfigReader (the error list and path anchoring) and MapReader (one
// YAML mapping: known keys taken, the rest reported). Does not own: what the
// keys mean (config.cpp, config_policy.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/duration.hpp"
#include "policy/kasp.hpp"

namespace signerd::config_detail {

class ConfigReader {
 public:
  ConfigReader(std::string file_name, std::filesystem::path base_dir)
      : file_(std::move(file_name)), base_dir_(std::move(base_dir)) {}

  // Records "FILE:LINE: FIELD: MESSAGE"; `line` is 1-based, 0 when unknown.
  void error(int line, const std::string& field, const std::string& message);
  void error(const YAML::Node& at, const std::string& field, const std::string& message);
  size_t error_count() const { return errors_.size(); }
  // Every error, ordered by line (sections are read in dependency order, not
  // file order), joined with newlines.
  std::string report() const;

  std::filesystem::path resolve(const std::string& path) const;

  // Typed reads of a scalar; on a wrong type or bad value they record an
  // error and return nullopt.
  std::optional<std::string> string(const YAML::Node& node, const std::string& field);
  std::optional<std::filesystem::path> path(const YAML::Node& node, const std::string& field);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& field);
  std::optional<uint64_t> integer(const YAML::Node& node, const std::string& field, uint64_t max);
  std::optional<policy::Seconds> duration(const YAML::Node& node, const std::string& field);

  // Calls `each(item, "field[i]")` for every item of a sequence; a single
  // scalar or mapping is read as a sequence of one.
  void sequence(const YAML::Node& node, const std::string& field,
                const std::function<void(const YAML::Node&, const std::string&)>& each);

 private:
  std::string file_;
  std::filesystem::path base_dir_;
  std::vector<std::pair<int, std::string>> errors_;  // line, text
};

int line_of(const YAML::Node& node);  // 1-based; 0 when yaml-cpp has no mark

// One mapping. get() takes a key; finish() reports every key not taken, with
// a pointed message for inline secrets.
class MapReader {
 public:
  MapReader(ConfigReader& reader, const YAML::Node& node, std::string path);

  bool ok() const { return ok_; }  // false when the node is not a mapping
  std::optional<YAML::Node> get(const std::string& key);
  bool has(const std::string& key) const;
  std::string field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& path() const { return path_; }
  int line() const { return line_; }
  int line_of_key(const std::string& key) const;
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
    bool taken = false;
  };
  ConfigReader& reader_;
  std::string path_;
  int line_ = 0;
  bool ok_ = false;
  std::vector<Entry> entries_;
};

// Reads the `policies` list into `out`, checking each with policy::check.
void read_policies(ConfigReader& reader, const YAML::Node& node, std::vector<policy::Kasp>& out);

}  // namespace signerd::config_detail
