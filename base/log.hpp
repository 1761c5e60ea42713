// base/log.hpp — the logging facade over spdlog.
//
// Owns: log levels, text or JSON-lines output, the process-wide logger.
// Callers format their message; zone and peer go in the message text.
// Thread-safe (spdlog's multi-threaded sink).
#pragma once

#include <string_view>

namespace signerd::base::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

void configure(Level level, Format format);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace signerd::base::log
