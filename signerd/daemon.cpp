#include "signerd/daemon.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/log.hpp"
#include "base/text.hpp"
#include "signerd/asio_address.hpp"
#include "signerd/json.hpp"
#include "signerd/metrics.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;

std::string zone_key(dns::NameView zone) {
  std::string text = dns::Name(zone).to_text();
  for (char& c : text) c = base::ascii_lower(c);
  return text;
}

bool key_matches(const std::optional<dns::Name>& wanted, const xfr::TsigKey* key) {
  if (!wanted) return true;
  return key != nullptr && key->name() == *wanted;
}

base::Result<xfr::TsigKeyring> load_keyring(const Config& config) {
  std::vector<xfr::TsigKey> keys;
  for (const auto& k : config.tsig) {
    auto key = xfr::load_tsig_key(k.name, k.algorithm, k.secret_file);
    if (!key) return make_error(key.error().code, "tsig " + k.name.to_text() + ": " + key.error().detail);
    keys.push_back(std::move(*key));
  }
  return xfr::TsigKeyring(std::move(keys));
}

// Drops root for `user` (and its groups) once every privileged resource is
// open: sockets bound, store and token opened.
base::Result<void> drop_privileges(const std::string& user) {
  if (user.empty()) return base::ok();
  errno = 0;
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) return make_error(Errc::not_found, "server.user: no user '" + user + "'");
  if (geteuid() != 0) {
    if (geteuid() == pw->pw_uid) return base::ok();
    return make_error(Errc::invalid_argument,
                      "server.user: not running as root, cannot become '" + user + "'");
  }
  if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
    return make_error(Errc::io, "server.user: cannot become '" + user + "': " + std::strerror(errno));
  if (setuid(0) == 0)
    return make_error(Errc::internal, "server.user: root could be regained after dropping it");
  base::log::info("running as user " + user + " (uid " + std::to_string(pw->pw_uid) + ")");
  return base::ok();
}

// The control socket belongs to server.user when signerd starts as root
// and drops to it: its group may then use it, and signerd can remove it.
base::Result<void> give_to_user(const std::filesystem::path& path, const std::string& user) {
  if (user.empty() || geteuid() != 0) return base::ok();
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) return make_error(Errc::not_found, "server.user: no user '" + user + "'");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
    return make_error(Errc::io, "control socket " + path.string() + ": chown: " + std::strerror(errno));
  return base::ok();
}

}  // namespace

int Daemon::run(const std::filesystem::path& config_file) {
  Daemon daemon(config_file);
  return daemon.main_loop();
}

int Daemon::main_loop() {
  auto opened = OfflineContext::open(config_file_);
  if (!opened) {
    base::log::error(opened.error().detail);
    return 1;
  }
  offline_.emplace(std::move(*opened));
  const Config& config = offline_->config;
  if (auto keys = offline_->open_key_store(); !keys) {
    base::log::error("key store: " + keys.error().detail);
    return 1;
  }
  auto keyring = load_keyring(config);
  if (!keyring) {
    base::log::error(keyring.error().detail);
    return 1;
  }
  keyring_ = std::move(*keyring);
  ctx_ = std::make_unique<DaemonContext>(DaemonContext{clock_, io_, zone_pool_, *offline_, offline_lock_,
                                                       signing_lock_, keyring_, 2, stopping_});

  dns_server_ = std::make_unique<xfr::AuthServer>(io_, *this, keyring_, xfr::ServerLimits{}, clock_);
  std::vector<asio::ip::udp::endpoint> endpoints;
  for (const auto& a : config.server.listen) endpoints.emplace_back(to_asio(a.ip), a.port);
  if (auto listening = dns_server_->listen(endpoints); !listening) {
    base::log::error(listening.error().detail);
    return 1;
  }
  if (config.server.http) {
    http_server_ = std::make_unique<HttpServer>(io_, route_table(http_routes()));
    const auto& h = *config.server.http;
    if (auto listening = http_server_->listen(asio::ip::tcp::endpoint(to_asio(h.ip), h.port)); !listening) {
      base::log::error(listening.error().detail);
      return 1;
    }
  }

  if (!config.server.control.empty()) {
    control_server_ = std::make_unique<ControlServer>(
        io_, [actions = control_actions()](const ControlRequest& request, uid_t) {
          return answer_control(request, actions);
        });
    auto listening = control_server_->listen(config.server.control);
    if (listening) listening = give_to_user(config.server.control, config.server.user);
    if (!listening) {
      base::log::error(listening.error().detail);
      return 1;
    }
  }

  if (auto dropped = drop_privileges(config.server.user); !dropped) {
    base::log::error(dropped.error().detail);
    return 1;
  }

  asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          if (auto reloaded = reload("SIGHUP"); !reloaded)
            base::log::error("SIGHUP: " + reloaded.error().detail);
          signals.async_wait(on_signal);
          return;
        }
        base::log::info(std::string("signal ") + (signal == SIGTERM ? "TERM" : "INT") + ": stopping");
        begin_stop();
      };
  signals.async_wait(on_signal);

  for (const auto& zone : config.zones) {
    auto kasp = config.find_policy(zone.policy);
    if (auto usable = kasp ? check_policy_algorithms(*offline_->keys, *kasp) : base::ok(); !usable) {
      base::log::error("zone " + zone.name.to_text() + ": " + usable.error().detail);
      return 1;
    }
  }
  for (const auto& zone : config.zones) {
    if (auto started = start_zone(zone); !started) {
      base::log::error(started.error().detail);
      return 1;
    }
  }
  std::string where;
  for (const auto& a : config.server.listen) where += " " + a.to_string();
  base::log::info("signerd running: " + std::to_string(config.zones.size()) + " zones, DNS on" +
                  (where.empty() ? std::string(" nothing") : where) +
                  (config.server.http ? ", HTTP on " + config.server.http->to_string() : std::string()) +
                  (control_server_ ? ", control at " + config.server.control.string() : std::string()));

  io_.run();
  zone_pool_.join();
  base::log::info("signerd stopped");
  return 0;
}

base::Result<void> Daemon::start_zone(const ZoneConfig& zone) {
  auto kasp = offline_->config.find_policy(zone.policy);
  if (!kasp)
    return make_error(Errc::not_found, "zone " + zone.name.to_text() + ": unknown policy " + zone.policy);
  auto runtime = std::make_shared<ZoneRuntime>(*ctx_, zone, *kasp);
  const std::string key = zone_key(zone.name);
  zones_.with_lock([&](ZoneTable& t) { t[key] = runtime; });
  ++running_zones_;
  runtime->start([this, key] { asio::post(io_, [this, key] { zone_ended(key); }); });
  return base::ok();
}

// On the io thread, after a zone's loop has ended for good.
void Daemon::zone_ended(const std::string& key) {
  --running_zones_;
  if (auto waiting = restarts_.find(key); waiting != restarts_.end()) {
    const ZoneConfig zone = std::move(waiting->second);
    restarts_.erase(waiting);
    if (!stopping_) {
      if (auto started = start_zone(zone); !started) base::log::error("SIGHUP: " + started.error().detail);
    }
  }
  if (running_zones_ == 0 && stopping_) stop_network();
}

void Daemon::stop_network() {
  if (dns_server_) dns_server_->stop();
  if (http_server_) http_server_->stop();
  if (control_server_) control_server_->stop();
  io_.stop();
}

void Daemon::begin_stop() {
  if (stopping_.exchange(true)) return;
  zones_.with_lock([](ZoneTable& t) {
    for (auto& [name, zone] : t) zone->stop();
  });
  if (running_zones_ == 0) stop_network();
}

base::Result<std::string> Daemon::reload(std::string_view trigger) {
  const std::string by(trigger);
  auto fresh = load_config(config_file_);
  if (!fresh)
    return make_error(fresh.error().code,
                      "config not reloaded, the running one stays: " + fresh.error().detail);
  if (auto change = tsig_change(offline_->config, *fresh)) {
    return make_error(Errc::unsupported,
                      "config not reloaded, the running one stays: tsig: " + *change +
                          "; TSIG keys are loaded at start only, restart signerd to change them");
  }
  base::log::info(by + ": reloading the zone list from " + config_file_.string());
  std::map<std::string, ZoneConfig> wanted;
  for (const auto& z : fresh->zones) wanted.emplace(zone_key(z.name), z);
  std::vector<std::shared_ptr<ZoneRuntime>> to_stop;
  zones_.with_lock([&](ZoneTable& t) {
    for (auto it = t.begin(); it != t.end();) {
      auto w = wanted.find(it->first);
      // Unchanged, its policy's contents included (a new algorithm or key
      // list is a policy change the key state machine must see): not touched.
      if (w != wanted.end() && w->second == it->second->config() &&
          fresh->find_policy(w->second.policy) == it->second->kasp()) {
        wanted.erase(w);
        ++it;
        continue;
      }
      to_stop.push_back(it->second);
      it = t.erase(it);
    }
  });
  // Policies of the new file apply to the zones (re)started now; TSIG keys,
  // listeners and the HSM need a restart.
  offline_->config.policies = fresh->policies;
  offline_->config.zones = fresh->zones;
  for (auto& zone : to_stop) {
    const std::string key = zone_key(zone->config().name);
    base::log::info("zone " + zone->config().name.to_text() + ": removed or changed by " + by + "; stopping");
    // A changed zone starts again when its old loop has ended (zone_ended):
    // both would otherwise write the same rows.
    if (auto w = wanted.find(key); w != wanted.end()) {
      restarts_.insert_or_assign(key, std::move(w->second));
      wanted.erase(w);
    }
    zone->stop();
  }
  for (const auto& [key, zone] : wanted) {
    if (restarts_.contains(key)) {  // still ending from an earlier SIGHUP
      restarts_.insert_or_assign(key, zone);
      continue;
    }
    if (auto started = start_zone(zone); !started) base::log::error(by + ": " + started.error().detail);
  }
  return "config reloaded from " + config_file_.string() + ": " + std::to_string(fresh->zones.size()) +
         " zones, " + std::to_string(to_stop.size()) + " stopped or restarted, " +
         std::to_string(wanted.size()) + " started";
}

std::shared_ptr<ZoneRuntime> Daemon::runtime(dns::NameView zone) const {
  return zones_.with_lock([&](const ZoneTable& t) -> std::shared_ptr<ZoneRuntime> {
    auto it = t.find(zone_key(zone));
    return it == t.end() ? nullptr : it->second;
  });
}

std::shared_ptr<const xfr::ServedZone> Daemon::find(dns::NameView zone) const {
  auto r = runtime(zone);
  return r ? r->served() : nullptr;
}

bool Daemon::allow_transfer(dns::NameView zone, const asio::ip::address& from,
                            const xfr::TsigKey* key) const {
  auto r = runtime(zone);
  if (!r) return false;
  const IpAddress ip = from_asio(from);
  const ZoneConfig& config = r->config();
  if (config.allow_transfer.empty()) {
    // No ACL: the secondaries we notify may transfer, with their key.
    for (const auto& peer : config.notify)
      if (peer.address.ip == ip && key_matches(peer.key, key)) return true;
    return false;
  }
  for (const auto& acl : config.allow_transfer)
    if (acl.prefix.contains(ip) && key_matches(acl.key, key)) return true;
  return false;
}

xfr::NotifyVerdict Daemon::on_notify(dns::NameView zone, const asio::ip::address& from,
                                     const xfr::TsigKey* key, std::optional<uint32_t> serial) {
  auto r = runtime(zone);
  if (!r) return xfr::NotifyVerdict::not_auth;
  const IpAddress ip = from_asio(from);
  for (const auto& primary : r->config().primaries) {
    if (primary.address.ip == ip && key_matches(primary.key, key)) {
      r->wake(serial ? std::optional(std::pair{ip, *serial}) : std::nullopt);
      if (uint64_t folded = 0; r->log_notify(serial, folded))
        base::log::info("zone " + r->config().name.to_text() + ": NOTIFY from " + from.to_string() +
                        (serial ? " serial " + std::to_string(*serial) : std::string()) +
                        (folded ? " (" + std::to_string(folded) + " more like it not logged)" : ""));
      return xfr::NotifyVerdict::accepted;
    }
  }
  base::log::warn("zone " + r->config().name.to_text() + ": NOTIFY from " + from.to_string() +
                  " refused: not a primary of the zone" + (key ? "" : " (or unsigned)"));
  return xfr::NotifyVerdict::refused;
}

namespace {

HttpResponse status_answer(const std::vector<ZoneStatus>& statuses, base::TimePoint now,
                           const xfr::AuthServer* dns) {
  std::string body = "{\"zones\":[";
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (i) body += ',';
    body += to_json(statuses[i], now);
  }
  if (dns) {
    const auto c = dns->counters();
    body += "],\"server\":{\"queries\":" + std::to_string(c.queries) +
            ",\"notifies_in\":" + std::to_string(c.notifies) + ",\"axfr_out\":" + std::to_string(c.axfr_out) +
            ",\"ixfr_out\":" + std::to_string(c.ixfr_out) + ",\"refused\":" + std::to_string(c.refused) +
            ",\"formerr\":" + std::to_string(c.formerr) +
            ",\"tsig_failures\":" + std::to_string(c.tsig_failures) + "}}\n";
  } else {
    body += "]}\n";
  }
  return HttpResponse{200, "application/json", std::move(body)};
}

HttpResponse health_answer(const std::vector<ZoneStatus>& statuses, base::TimePoint now) {
  std::string problems;
  for (const auto& s : statuses) {
    std::string why;
    if (!s.healthy(now, &why)) problems += why + "\n";
  }
  if (problems.empty()) return HttpResponse{200, "text/plain", "ok\n"};
  return HttpResponse{503, "text/plain", problems};
}

}  // namespace

std::vector<ZoneStatus> Daemon::zone_statuses() const {
  std::vector<ZoneStatus> statuses;
  zones_.with_lock([&](const ZoneTable& t) {
    for (const auto& [name, zone] : t) statuses.push_back(zone->status());
  });
  return statuses;
}

std::vector<HttpRoute> Daemon::http_routes() const {
  const base::TimePoint started = clock_.now();
  auto metrics = [this, started](std::string_view) {
    ProcessInfo p{SIGNERD_VERSION, started, offline_->config.zones.size(),
                  http_server_ ? http_server_->responses() : std::map<unsigned, uint64_t>{},
                  dns_server_ ? std::optional(dns_server_->counters()) : std::nullopt};
    return HttpResponse{200, std::string(kMetricsContentType),
                        metrics_text(zone_statuses(), p, clock_.now())};
  };
  return {
      {"/status",
       [this](std::string_view) { return status_answer(zone_statuses(), clock_.now(), dns_server_.get()); }},
      {"/healthz", [this](std::string_view) { return health_answer(zone_statuses(), clock_.now()); }},
      {"/metrics", std::move(metrics)},
  };
}

ControlActions Daemon::control_actions() {
  auto not_configured = [](const dns::Name& zone) {
    return make_error(Errc::not_found, "zone " + zone.to_text() + ": not configured");
  };
  ControlActions a;
  a.statuses = [this] { return zone_statuses(); };
  a.now = [this] { return clock_.now(); };
  a.reload = [this]() {
    auto reloaded = reload("control");
    if (!reloaded) base::log::error("control: " + reloaded.error().detail);
    return reloaded;
  };
  a.retransfer = [this, not_configured](const dns::Name& zone) -> base::Result<std::string> {
    auto r = runtime(zone);
    if (!r) return not_configured(zone);
    r->retransfer();
    return "zone " + zone.to_text() + ": AXFR from the primaries asked; the refresh starts now";
  };
  a.notify = [this, not_configured](const dns::Name& zone) -> base::Result<std::string> {
    auto r = runtime(zone);
    if (!r) return not_configured(zone);
    const size_t peers = r->config().notify.size();
    if (peers == 0)
      return make_error(Errc::not_found, "zone " + zone.to_text() + ": no secondaries to notify");
    auto serial = r->notify_secondaries();
    if (!serial)
      return make_error(Errc::not_found, "zone " + zone.to_text() + ": no signed version to announce yet");
    return "zone " + zone.to_text() + ": NOTIFY of serial " + std::to_string(*serial) + " to " +
           std::to_string(peers) + (peers == 1 ? " secondary" : " secondaries");
  };
  a.key_command = [this, not_configured](const dns::Name& zone,
                                         const KeyCommand& command) -> base::Result<std::string> {
    auto r = runtime(zone);
    if (!r) return not_configured(zone);
    return r->key_command(command);
  };
  return a;
}

}  // namespace signerd
