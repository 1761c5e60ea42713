// signerd/commands.hpp — signerctl's sub-commands, one function each.
//
// Each takes the arguments after the command name and returns the process
// exit code: 0 success, 1 the input is bad (errors on stderr), 2 usage.
// The daemon's verbs (control_client.cpp) add 3: signerd is not running
// (no control socket answers); 1 is then the daemon's refusal.
#pragma once

#include <span>
#include <string_view>

namespace signerd::cli {

int check_zone(std::span<const std::string_view> args);
int sign_file(std::span<const std::string_view> args);
// Through the daemon when its control socket answers, else offline (the
// store read directly).
int keys(std::span<const std::string_view> args);
int keys_offline(std::span<const std::string_view> args);
int status(std::span<const std::string_view> args);
int zones(std::span<const std::string_view> args);
int reload(std::span<const std::string_view> args);
int retransfer(std::span<const std::string_view> args);
int notify(std::span<const std::string_view> args);
int checkds(std::span<const std::string_view> args);
int rollover(std::span<const std::string_view> args);
int step(std::span<const std::string_view> args);
int ds(std::span<const std::string_view> args);

}  // namespace signerd::cli
