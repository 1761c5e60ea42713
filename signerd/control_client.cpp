// signerd/control_client.cpp — signerctl status, zones, reload, retransfer,
// notify, keys, checkds, rollover and step: one request each to the
// daemon's control socket.
#include "signerd/control_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "signerd/cli_support.hpp"
#include "signerd/commands.hpp"
#include "signerd/config.hpp"

namespace signerd::cli {
namespace {

using base::Errc;
using base::make_error;

constexpr const char* kDefaultConfig = "/etc/signerd/signerd.yaml";
constexpr int kNotRunning = 3;

// Closes the descriptor it holds.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

base::Error errno_error(const std::string& where) {
  return base::Error{Errc::io, where + ": " + std::strerror(errno)};
}

// An option of a verb besides --zone, and the request argument it fills.
struct ExtraArg {
  std::string_view option;  // "--key"; empty: none
  std::string_view arg;     // "key"
  bool required = false;
};

// What one verb takes: `zone` none, optional or required; usage text.
struct VerbCli {
  std::string_view verb;
  bool zone_allowed;
  bool zone_required;
  const char* usage;
  std::array<ExtraArg, 2> extra{};
};

constexpr VerbCli kStatus{"status", true, false,
                          "usage: signerctl status [--zone NAME] [--json] [--config FILE]\n"
                          "  The running daemon's state of every zone (or one): serials, health, last\n"
                          "  transfer and NOTIFY, timers, keys. --json: the /status objects.\n"};
constexpr VerbCli kZones{"zones", false, false,
                         "usage: signerctl zones [--json] [--config FILE]\n"
                         "  The zones the daemon serves, with signed and upstream serials and health.\n"};
constexpr VerbCli kReload{"reload", false, false,
                          "usage: signerctl reload [--json] [--config FILE]\n"
                          "  Reloads the zone list and policies from the daemon's config file, as SIGHUP;\n"
                          "  prints what changed, or why the running config stays.\n"};
constexpr VerbCli kRetransfer{"retransfer", true, true,
                              "usage: signerctl retransfer --zone NAME [--json] [--config FILE]\n"
                              "  The zone's next refresh, started now, takes the whole zone (AXFR) from the\n"
                              "  primaries, even when its serial has not changed.\n"};
constexpr VerbCli kNotify{"notify", true, true,
                          "usage: signerctl notify --zone NAME [--json] [--config FILE]\n"
                          "  Sends NOTIFY of the served serial to every secondary of the zone again.\n"};
constexpr VerbCli kKeys{"keys", true, true,
                        "usage: signerctl keys --zone NAME [--json] [--config FILE]\n"
                        "  The zone's keys and their states: from the running daemon when its control\n"
                        "  socket answers, else read from the store (offline; --json needs the daemon).\n"};

constexpr VerbCli kCheckds{"checkds",
                           true,
                           true,
                           "usage: signerctl checkds --zone NAME published|withdrawn [--key TAG] [--json]\n"
                           "                         [--config FILE]\n"
                           "  Tells the daemon that the parent now holds (published) or no longer holds\n"
                           "  (withdrawn) the DS of every key waiting for it, or of key TAG only: for a\n"
                           "  zone without parental-agents, or to settle a round the agents cannot.\n"
                           "  The key state machine counts its parent waits from now.\n",
                           {{{"--ds", "ds", true}, {"--key", "key", false}}}};
constexpr VerbCli kRollover{"rollover",
                            true,
                            true,
                            "usage: signerctl rollover --zone NAME --role ksk|zsk|csk [--at TIME] [--json]\n"
                            "                          [--config FILE]\n"
                            "  Starts the rollover of the zone's key of that role now, or with its\n"
                            "  successor published at TIME (UTC, 2026-12-03T18:00:00Z), whatever its\n"
                            "  lifetime; the rollover then runs as the policy's would.\n",
                            {{{"--role", "role", true}, {"--at", "at", false}}}};
constexpr VerbCli kStep{"step", true, true,
                        "usage: signerctl step --zone NAME [--json] [--config FILE]\n"
                        "  manual-mode: lets the transitions and rollover starts that wait for an\n"
                        "  operator go through once (signerctl keys shows what waits).\n"};

int usage(const VerbCli& v, const std::string& why) {
  std::fprintf(stderr, "signerctl: %s\n", why.c_str());
  std::fputs(v.usage, stderr);
  return 2;
}

// Called (and its exit code returned) when no daemon answers, with why.
using NotRunning = std::function<int(const std::string& why)>;

// Asks the daemon; prints the reply. Without `not_running`, no daemon is
// exit 3 with the reason.
int ask(const VerbCli& v, const Options& opts, const NotRunning& not_running) {
  const std::string config_file = opts.value_or("--config", kDefaultConfig);
  auto config = load_config(config_file);
  if (!config) {
    std::fprintf(stderr, "signerctl %.*s: %s\n", static_cast<int>(v.verb.size()), v.verb.data(),
                 config.error().to_string().c_str());
    return 1;
  }
  auto stopped = [&](const std::string& why) {
    if (not_running) return not_running(why);
    std::fprintf(stderr, "%s\n", why.c_str());
    return kNotRunning;
  };
  if (config->server.control.empty())
    return stopped("signerd has no control socket: server.control is not set in " + config_file);
  ControlRequest request{std::string(v.verb), {}};
  if (auto zone = opts.get("--zone")) {
    auto name = parse_zone_name(*zone);
    if (!name) return usage(v, name.error().detail);
    request.args["zone"] = name->to_text();
  }
  for (const ExtraArg& e : v.extra)
    if (!e.option.empty())
      if (auto value = opts.get(e.option)) request.args[std::string(e.arg)] = *value;
  auto line = control_call(config->server.control, request);
  if (!line && line.error().code == Errc::not_found) return stopped(line.error().detail);
  if (!line) {
    std::fprintf(stderr, "signerctl %s: %s\n", request.verb.c_str(), line.error().detail.c_str());
    return 1;
  }
  auto reply = parse_reply(*line);
  if (!reply) {
    std::fprintf(stderr, "signerctl %s: %s\n", request.verb.c_str(), reply.error().detail.c_str());
    return 1;
  }
  if (opts.has("--json")) {
    std::printf("%s\n", line->c_str());
  } else if (reply->ok) {
    std::fputs(reply->text.c_str(), stdout);
    if (!reply->text.empty() && reply->text.back() != '\n') std::fputc('\n', stdout);
  }
  if (!reply->ok) std::fprintf(stderr, "signerctl %s: %s\n", request.verb.c_str(), reply->error.c_str());
  return reply->ok ? 0 : 1;
}

int run_verb(const VerbCli& v, std::span<const std::string_view> args, const NotRunning& not_running = {}) {
  if (wants_help(args)) {
    std::fputs(v.usage, stdout);
    return 0;
  }
  std::vector<OptionSpec> specs{{"--config", true, false}, {"--json", false, false}};
  if (v.zone_allowed) specs.push_back({"--zone", true, v.zone_required});
  for (const ExtraArg& e : v.extra)
    if (!e.option.empty()) specs.push_back({e.option, true, e.required});
  auto opts = Options::parse(args, specs);
  if (!opts) return usage(v, opts.error().detail);
  return ask(v, *opts, not_running);
}

}  // namespace

base::Result<std::string> control_call(const std::filesystem::path& socket, const ControlRequest& request,
                                       std::chrono::seconds timeout) {
  const std::string where = "control socket " + socket.string();
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof sa.sun_path)
    return make_error(Errc::invalid_argument, where + ": path too long for a Unix socket");
  std::memcpy(sa.sun_path, socket.c_str(), socket.string().size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return errno_error(where + ": socket");
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno == ENOENT)
      return make_error(Errc::not_found, "signerd is not running: no control socket at " + socket.string());
    if (errno == ECONNREFUSED)
      return make_error(Errc::not_found, "signerd is not running: nothing listens on the control socket at " +
                                             socket.string());
    return errno_error(where);
  }
  const std::string line = request_line(request);
  for (std::size_t done = 0; done < line.size();) {
    const ssize_t n = ::send(fd.get(), line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return errno_error(where + ": send");
    done += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buf[65536];
  for (;;) {
    if (auto nl = reply.find('\n'); nl != std::string::npos) return reply.substr(0, nl);
    if (reply.size() > kMaxReplyBytes)
      return make_error(Errc::out_of_range,
                        where + ": reply longer than " + std::to_string(kMaxReplyBytes) + " bytes");
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n == 0) return make_error(Errc::io, where + ": the daemon closed the connection without a reply");
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return make_error(Errc::io, where + ": no reply within " + std::to_string(timeout.count()) + " s");
      return errno_error(where + ": recv");
    }
    reply.append(buf, static_cast<std::size_t>(n));
  }
}

int status(std::span<const std::string_view> args) { return run_verb(kStatus, args); }
int zones(std::span<const std::string_view> args) { return run_verb(kZones, args); }
int reload(std::span<const std::string_view> args) { return run_verb(kReload, args); }
int retransfer(std::span<const std::string_view> args) { return run_verb(kRetransfer, args); }
int notify(std::span<const std::string_view> args) { return run_verb(kNotify, args); }
int rollover(std::span<const std::string_view> args) { return run_verb(kRollover, args); }
int step(std::span<const std::string_view> args) { return run_verb(kStep, args); }

int checkds(std::span<const std::string_view> args) {
  // `published` or `withdrawn` stands alone, as the and BIND's
  // rndc dnssec -checkds spell it; it becomes --ds.
  std::vector<std::string_view> rewritten;
  bool after_option = false;
  for (std::string_view a : args) {
    if (!after_option && (a == "published" || a == "withdrawn")) {
      rewritten.push_back("--ds");
    }
    after_option = a == "--zone" || a == "--config" || a == "--key" || a == "--ds";
    rewritten.push_back(a);
  }
  return run_verb(kCheckds, rewritten);
}

int keys(std::span<const std::string_view> args) {
  // No daemon: the store, read directly, as before there was a control
  // socket; --json only comes from the daemon.
  const bool json = std::find(args.begin(), args.end(), std::string_view("--json")) != args.end();
  if (json) return run_verb(kKeys, args);
  return run_verb(kKeys, args, [args](const std::string&) { return keys_offline(args); });
}

}  // namespace signerd::cli
