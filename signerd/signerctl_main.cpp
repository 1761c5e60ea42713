// signerctl — the control client and offline tools.
#include <cstdio>
#include <string_view>
#include <vector>

#include "signerd/commands.hpp"

namespace {

void usage() {
  std::fputs(
      "usage: signerctl COMMAND [OPTIONS]\n"
      "commands:\n"
      "  check-zone --zone NAME --in FILE   check a zone file; print it in canonical order\n",
      stderr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  std::string_view command = argv[1];
  std::vector<std::string_view> args(argv + 2, argv + argc);
  if (command == "check-zone") return signerd::cli::check_zone(args);
  if (command == "--help" || command == "-h" || command == "help") {
    usage();
    return 0;
  }
  std::fprintf(stderr, "signerctl: unknown command '%.*s'\n", static_cast<int>(command.size()),
               command.data());
  usage();
  return 2;
}
