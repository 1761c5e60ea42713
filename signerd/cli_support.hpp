// signerd/cli_support.hpp — what signerctl's sub-commands share: options
// ("--name VALUE", "--name=VALUE", "--flag"), zone names as users type
// them, and reading a zone file with its errors reported as FILE:LINE.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/zone_version.hpp"

namespace signerd::cli {

struct OptionSpec {
  std::string_view name;  // "--zone"
  bool takes_value = true;
  bool required = false;
};

class Options {
 public:
  // Fails (Errc::invalid_argument, a message for the user) on an unknown
  // option, a missing value, a repeated option or a missing required one.
  static base::Result<Options> parse(std::span<const std::string_view> args,
                                     std::span<const OptionSpec> specs);

  std::optional<std::string> get(std::string_view name) const;
  std::string value_or(std::string_view name, std::string fallback) const;
  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// "example.com" or "example.com." as an absolute name.
base::Result<dns::Name> parse_zone_name(std::string_view text);

// Reads a master file; prints warnings and every error (FILE:LINE: ...) to
// stderr. Null when the file has errors.
std::shared_ptr<const dns::ZoneVersion> read_zone_reporting(const std::string& path, const dns::Name& origin);

// True when args ask for help (-h, --help).
bool wants_help(std::span<const std::string_view> args);

}  // namespace signerd::cli
