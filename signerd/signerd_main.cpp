// signerd — the daemon: `signerd --config FILE [--check]`.
#include <malloc.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "base/log.hpp"
#include "signerd/config.hpp"
#include "signerd/daemon.hpp"
#include "signerd/offline_context.hpp"
#include "xfr/tsig.hpp"

namespace {

constexpr const char* kUsage =
    "usage: signerd [--config FILE] [--check] [--log-format text|json] [--log-level debug|info|warn|error]\n"
    "  Runs the signer in the foreground with the YAML config FILE\n"
    "  (default /etc/signerd/signerd.yaml). --check validates the config, the\n"
    "  TSIG secret files it names and the HSM (login, and the mechanisms every\n"
    "  policy's algorithms need), and exits: 0 when valid, 1 with every error\n"
    "  as FILE:LINE: FIELD: MESSAGE.\n"
    "  Signals: TERM/INT stop, HUP reloads the zone list.\n";

int usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "signerd: %s\n", why.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int check(const std::string& file) {
  auto config = signerd::load_config(file);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().detail.c_str());
    return 1;
  }
  int status = 0;
  for (const auto& k : config->tsig) {
    if (auto key = signerd::xfr::load_tsig_key(k.name, k.algorithm, k.secret_file); !key) {
      std::fprintf(stderr, "%s: tsig %s: %s\n", file.c_str(), k.name.to_text().c_str(),
                   key.error().detail.c_str());
      status = 1;
    }
  }
  // The key store must be there and able to make every policy's keys.
  auto keys = signerd::open_key_store(config->hsm);
  if (!keys) {
    std::fprintf(stderr, "%s: hsm: %s\n", file.c_str(), keys.error().detail.c_str());
    status = 1;
  } else {
    for (const auto& zone : config->zones) {
      auto kasp = config->find_policy(zone.policy);
      if (auto usable = kasp ? signerd::check_policy_algorithms(**keys, *kasp) : signerd::base::ok();
          !usable) {
        std::fprintf(stderr, "%s: zone %s: %s\n", file.c_str(), zone.name.to_text().c_str(),
                     usable.error().detail.c_str());
        status = 1;
      }
    }
  }
  if (status == 0) std::printf("%s: ok (%zu zones)\n", file.c_str(), config->zones.size());
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file = "/etc/signerd/signerd.yaml";
  bool check_only = false;
  auto level = signerd::base::log::Level::info;
  auto format = signerd::base::log::Format::text;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--check") {
      check_only = true;
    } else if (arg == "--config") {
      const char* v = value();
      if (!v) return usage("--config needs a file");
      config_file = v;
    } else if (arg == "--log-format") {
      const char* v = value();
      if (!v || (std::string_view(v) != "text" && std::string_view(v) != "json"))
        return usage("--log-format is text or json");
      format =
          std::string_view(v) == "json" ? signerd::base::log::Format::json : signerd::base::log::Format::text;
    } else if (arg == "--log-level") {
      const char* v = value();
      std::string_view l = v ? v : "";
      if (l == "debug")
        level = signerd::base::log::Level::debug;
      else if (l == "info")
        level = signerd::base::log::Level::info;
      else if (l == "warn")
        level = signerd::base::log::Level::warn;
      else if (l == "error")
        level = signerd::base::log::Level::error;
      else
        return usage("--log-level is debug, info, warn or error");
    } else {
      return usage("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (check_only) return check(config_file);
  signerd::base::log::configure(level, format);
  // Zone versions live in 1 MiB arena chunks and large arrays, dropped whole
  // when a newer version replaces them. glibc raises its mmap threshold
  // after such frees and then serves the next ones from the heap, where
  // they fragment and the daemon's footprint creeps up with every change; a
  // fixed threshold keeps them in mmap, returned to the system when freed.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  return signerd::Daemon::run(config_file);
}
