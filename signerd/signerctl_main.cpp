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
      "  check-zone --zone NAME --in FILE   check a zone file; print it in canonical order\n"
      "  sign-file --zone NAME --in FILE --out FILE [--policy NAME] [--config FILE]\n"
      "                                     sign a zone file with HSM keys (kept in the store)\n"
      "  keys --zone NAME [--json]          list the zone's keys (the daemon's view when it runs)\n"
      "  ds --zone NAME [--config FILE]     print DS records for the zone's KSKs/CSKs\n"
      "the running daemon, through its control socket (server.control):\n"
      "  status [--zone NAME] [--json]      zones' serials, health, transfers, timers, keys\n"
      "  zones [--json]                     the zones with their serials and health\n"
      "  reload                             reload the zone list from the config (as SIGHUP)\n"
      "  retransfer --zone NAME             take the whole zone (AXFR) from the primaries now\n"
      "  notify --zone NAME                 send NOTIFY of the served serial to the secondaries again\n"
      "  checkds --zone NAME published|withdrawn [--key TAG]\n"
      "                                     the parent holds (no longer holds) the waiting keys' DS\n"
      "  rollover --zone NAME --role ksk|zsk|csk [--at TIME]\n"
      "                                     start the rollover of that key now (or at TIME, UTC)\n"
      "  step --zone NAME                   manual-mode: let what waits for the operator go through\n"
      "each command takes --help and --config FILE (default /etc/signerd/signerd.yaml); the\n"
      "daemon's verbs exit 0 ok, 1 refused (the reason on stderr), 2 usage, 3 signerd not running\n",
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
  if (command == "sign-file") return signerd::cli::sign_file(args);
  if (command == "keys") return signerd::cli::keys(args);
  if (command == "ds") return signerd::cli::ds(args);
  if (command == "status") return signerd::cli::status(args);
  if (command == "zones") return signerd::cli::zones(args);
  if (command == "reload") return signerd::cli::reload(args);
  if (command == "retransfer") return signerd::cli::retransfer(args);
  if (command == "notify") return signerd::cli::notify(args);
  if (command == "checkds") return signerd::cli::checkds(args);
  if (command == "rollover") return signerd::cli::rollover(args);
  if (command == "step") return signerd::cli::step(args);
  if (command == "--help" || command == "-h" || command == "help") {
    usage();
    return 0;
  }
  std::fprintf(stderr, "signerctl: unknown command '%.*s'\n", static_cast<int>(command.size()),
               command.data());
  usage();
  return 2;
}
