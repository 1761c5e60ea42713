// signerd/control_client.hpp — signerctl's side of the control socket.
//
// Owns: one request and its reply over server.control (blocking, bounded
// in time and size). Does not own: the wire format (control_protocol.hpp)
// or what the CLI prints (control_client.cpp's commands, commands.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "signerd/control_protocol.hpp"

namespace signerd::cli {

// A reply may be this long (every zone's status); longer ones are an error.
inline constexpr std::size_t kMaxReplyBytes = 64 * 1024 * 1024;

// Sends `request` to the daemon at `socket` and returns its reply line
// (without '\n'). Fails with Errc::not_found when no daemon listens there
// ("signerd is not running: no control socket at PATH"), Errc::io for any
// other failure (permission denied, a timeout, the connection closed
// early), Errc::out_of_range for a reply over kMaxReplyBytes. Thread-safe.
base::Result<std::string> control_call(const std::filesystem::path& socket, const ControlRequest& request,
                                       std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace signerd::cli
