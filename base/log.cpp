#include "base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <string>

namespace signerd::base::log {
namespace {

std::atomic<Format> g_format{Format::text};

spdlog::logger& logger() {
  // Logs go to stderr so that tools can keep stdout for their output.
  static auto instance = spdlog::stderr_logger_mt("signerd");
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

void configure(Level level, Format format) {
  g_format = format;
  auto& l = logger();
  l.set_level(to_spdlog(level));
  if (format == Format::json) {
    l.set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%v})");
  } else {
    l.set_pattern("%Y-%m-%d %H:%M:%S.%e %l: %v");
  }
}

void write(Level level, std::string_view message) {
  if (g_format == Format::json) {
    std::string body = "\"msg\":";
    append_json_string(body, message);
    logger().log(to_spdlog(level), body);
  } else {
    logger().log(to_spdlog(level), message);
  }
}

}  // namespace signerd::base::log
