// signerd/commands.hpp — signerctl's sub-commands, one function each.
//
// Each takes the arguments after the command name and returns the process
// exit code: 0 success, 1 the input is bad (errors on stderr), 2 usage.
#pragma once

#include <span>
#include <string_view>

namespace signerd::cli {

int check_zone(std::span<const std::string_view> args);
int sign_file(std::span<const std::string_view> args);
int keys(std::span<const std::string_view> args);
int ds(std::span<const std::string_view> args);

}  // namespace signerd::cli
