#include "signerd/cli_support.hpp"

#include <algorithm>
#include <cstdio>

#include "dns/zone_file.hpp"

namespace signerd::cli {

base::Result<Options> Options::parse(std::span<const std::string_view> args,
                                     std::span<const OptionSpec> specs) {
  auto bad = [](std::string why) { return base::make_error(base::Errc::invalid_argument, std::move(why)); };
  Options out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::optional<std::string_view> value;
    if (size_t eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) return bad("unknown option '" + std::string(args[i]) + "'");
    if (out.has(name)) return bad(std::string(name) + " given twice");
    if (!spec->takes_value) {
      if (value) return bad(std::string(name) + " takes no value");
      out.values_.emplace(std::string(name), "");
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return bad(std::string(name) + " needs a value");
      value = args[++i];
    }
    out.values_.emplace(std::string(name), std::string(*value));
  }
  for (const auto& s : specs) {
    if (s.required && !out.has(s.name)) return bad(std::string(s.name) + " is required");
  }
  return out;
}

std::optional<std::string> Options::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Options::value_or(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

base::Result<dns::Name> parse_zone_name(std::string_view text) {
  std::string absolute(text);
  if (absolute.empty() || absolute.back() != '.') absolute.push_back('.');
  auto name = dns::Name::from_text(absolute);
  if (!name)
    return base::make_error(base::Errc::invalid_argument,
                            "bad zone name '" + std::string(text) + "': " + name.error().detail);
  return name;
}

std::shared_ptr<const dns::ZoneVersion> read_zone_reporting(const std::string& path,
                                                            const dns::Name& origin) {
  dns::ZoneFileOptions options;
  options.origin = origin;
  dns::ZoneFileResult result = dns::read_zone_file(path, options);
  for (const auto& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  return result.errors.empty() ? result.zone : nullptr;
}

bool wants_help(std::span<const std::string_view> args) {
  return std::any_of(args.begin(), args.end(), [](std::string_view a) { return a == "-h" || a == "--help"; });
}

}  // namespace signerd::cli
