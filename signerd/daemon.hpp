// signerd/daemon.hpp — the running signerd: wiring of the parts.
//
// Owns: start-up in order (config, store, key store, TSIG keys, listeners,
// zones), the zone table (the ZoneCatalog the network asks), the HTTP
// status and health answers, the control socket's verbs, signals
// (SIGTERM/SIGINT stop, SIGHUP reloads the zone list), and an orderly
// stop. Does not own: what a zone does (ZoneRuntime), the protocols
// (xfr/), the signing engine (dnssec/).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "base/lock_guarded.hpp"
#include "base/result.hpp"
#include "signerd/control_server.hpp"
#include "signerd/control_verbs.hpp"
#include "signerd/http_server.hpp"
#include "signerd/zone_runtime.hpp"
#include "xfr/auth_server.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd {

class Daemon final : public xfr::ZoneCatalog {
 public:
  // Runs the daemon described by the config file until SIGTERM or SIGINT.
  // Returns the process exit code; start-up errors are logged and give 1.
  static int run(const std::filesystem::path& config_file);

  std::shared_ptr<const xfr::ServedZone> find(dns::NameView zone) const override;
  bool allow_transfer(dns::NameView zone, const asio::ip::address& from,
                      const xfr::TsigKey* key) const override;
  xfr::NotifyVerdict on_notify(dns::NameView zone, const asio::ip::address& from, const xfr::TsigKey* key,
                               std::optional<uint32_t> serial) override;

 private:
  using ZoneTable = std::map<std::string, std::shared_ptr<ZoneRuntime>>;  // by lower-case name

  explicit Daemon(std::filesystem::path config_file) : config_file_(std::move(config_file)) {}
  int main_loop();
  base::Result<void> start_zone(const ZoneConfig& zone);
  // Reloads the zone list (SIGHUP, signerctl reload; `trigger` names which
  // in the log). Returns what changed, or why the running config stays.
  // io thread only.
  base::Result<std::string> reload(std::string_view trigger);
  void zone_ended(const std::string& key);
  void begin_stop();
  void stop_network();
  // The HTTP routes (/status, /healthz, /metrics), each answered from a
  // fresh snapshot of the zones; built once, when the listener starts.
  std::vector<HttpRoute> http_routes() const;
  std::vector<ZoneStatus> zone_statuses() const;
  std::shared_ptr<ZoneRuntime> runtime(dns::NameView zone) const;
  // What the control verbs act on (control_verbs.hpp); run on the io thread.
  ControlActions control_actions();

  std::filesystem::path config_file_;
  base::SystemClock clock_;
  asio::io_context io_;
  asio::thread_pool zone_pool_{2};
  std::optional<OfflineContext> offline_;
  std::mutex offline_lock_;
  std::mutex signing_lock_;
  xfr::TsigKeyring keyring_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<DaemonContext> ctx_;
  std::unique_ptr<xfr::AuthServer> dns_server_;
  std::unique_ptr<HttpServer> http_server_;
  std::unique_ptr<ControlServer> control_server_;
  base::LockGuarded<ZoneTable> zones_;
  // Zones changed by SIGHUP, waiting for their old loop to end; io thread only.
  std::map<std::string, ZoneConfig> restarts_;
  std::atomic<size_t> running_zones_{0};
};

}  // namespace signerd
