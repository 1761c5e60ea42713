// signerd/control_verbs.cpp — the verb table and the replies it builds.
#include "signerd/control_verbs.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>

#include "hsm/algorithm.hpp"

namespace signerd {
namespace {

enum class ZoneArg { none, optional, required };

using Args = std::map<std::string, std::string>;
using Answer = std::string (*)(const std::optional<dns::Name>& zone, const Args& args,
                               const ControlActions& actions);

struct Verb {
  std::string_view name;
  ZoneArg zone;
  Answer answer;
  std::array<std::string_view, 2> more{};  // arguments besides `zone`
};

std::string dash_or(const std::optional<uint32_t>& v) { return v ? std::to_string(*v) : "-"; }

// "healthy", or "unhealthy: <reason>" (the reason without the zone's name).
std::string health_text(const ZoneStatus& s, base::TimePoint now) {
  std::string why;
  if (s.healthy(now, &why)) return "healthy";
  if (why.starts_with(s.zone + ": ")) why.erase(0, s.zone.size() + 2);
  return "unhealthy: " + why;
}

std::string time_text(const std::optional<base::TimePoint>& t) { return t ? iso_time(*t) : "-"; }

std::string status_text(const ZoneStatus& s, base::TimePoint now) {
  std::string out = s.zone + ": " + health_text(s, now) + "\n";
  out += "  signed serial " + dash_or(s.signed_serial) + ", upstream serial " + dash_or(s.upstream_serial) +
         "\n";
  if (!s.last_transfer_kind.empty())
    out += "  last transfer in: " + s.last_transfer_kind + " " + s.last_transfer_result + " from " +
           s.last_transfer_peer + " at " + time_text(s.last_transfer_time) + "\n";
  for (const auto& n : s.last_notify)
    out += "  NOTIFY of serial " + std::to_string(n.serial) + " to " + n.peer + ": " + n.result + " at " +
           iso_time(n.time) + "\n";
  out += "  next refresh " + time_text(s.next_refresh) + ", earliest signature expiry " +
         time_text(s.earliest_expiry) + ", next key event " + time_text(s.next_key_event) + "\n";
  std::string keys;
  for (const auto& k : s.keys) keys += " " + k.role + " " + std::to_string(k.tag) + " " + k.state + ",";
  if (!keys.empty()) out += "  keys:" + keys.substr(0, keys.size() - 1) + "\n";
  if (!s.errors.empty()) out += "  last error: " + s.errors.back() + "\n";
  return out;
}

std::optional<ZoneStatus> find_zone(const std::vector<ZoneStatus>& all, const dns::Name& zone) {
  for (const auto& s : all) {
    auto name = dns::Name::from_text(s.zone);
    if (name && *name == zone) return s;
  }
  return std::nullopt;
}

std::string not_configured(const dns::Name& zone) { return "zone " + zone.to_text() + ": not configured"; }

std::string status(const std::optional<dns::Name>& zone, const Args&, const ControlActions& a) {
  std::vector<ZoneStatus> all = a.statuses();
  if (zone) {
    auto one = find_zone(all, *zone);
    if (!one) return error_reply(not_configured(*zone));
    all = {std::move(*one)};
  }
  const base::TimePoint now = a.now();
  std::string text;
  std::string zones = "[";
  for (const auto& s : all) {
    if (zones.size() > 1) zones += ',';
    zones += to_json(s, now);
    text += status_text(s, now);
  }
  if (all.empty()) text = "no zones\n";
  return ok_reply(text, "\"zones\":" + zones + "]");
}

std::string zones(const std::optional<dns::Name>&, const Args&, const ControlActions& a) {
  const std::vector<ZoneStatus> all = a.statuses();
  const base::TimePoint now = a.now();
  std::size_t width = 4;
  for (const auto& s : all) width = std::max(width, s.zone.size());
  auto row = [&](std::string_view zone, std::string_view signed_serial, std::string_view upstream,
                 std::string_view health) {
    char line[64];
    std::snprintf(line, sizeof line, " %-10.*s %-10.*s ", static_cast<int>(signed_serial.size()),
                  signed_serial.data(), static_cast<int>(upstream.size()), upstream.data());
    return std::string(zone) + std::string(width - zone.size(), ' ') + line + std::string(health) + "\n";
  };
  std::string text = row("zone", "signed", "upstream", "health");
  std::string list = "[";
  for (const auto& s : all) {
    std::string why;
    const bool healthy = s.healthy(now, &why);
    text += row(s.zone, dash_or(s.signed_serial), dash_or(s.upstream_serial), health_text(s, now));
    if (list.size() > 1) list += ',';
    list += "{\"zone\":" + json_string(s.zone) +
            ",\"signed_serial\":" + (s.signed_serial ? std::to_string(*s.signed_serial) : "null") +
            ",\"upstream_serial\":" + (s.upstream_serial ? std::to_string(*s.upstream_serial) : "null") +
            ",\"healthy\":" + (healthy ? "true" : "false") + ",\"problem\":" + json_string(why) + "}";
  }
  return ok_reply(text, "\"zones\":" + list + "]");
}

std::string keys_text(const std::vector<KeyStatus>& keys) {
  auto line = [](std::string_view tag, std::string_view alg, std::string_view role, std::string_view state,
                 std::string_view goal, const std::array<std::string, 4>& records, std::string_view next) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-6.*s %-16.*s %-4.*s %-9.*s %-11.*s %-11s %-11s %-11s %-11s ",
                  static_cast<int>(tag.size()), tag.data(), static_cast<int>(alg.size()), alg.data(),
                  static_cast<int>(role.size()), role.data(), static_cast<int>(state.size()), state.data(),
                  static_cast<int>(goal.size()), goal.data(), records[0].c_str(), records[1].c_str(),
                  records[2].c_str(), records[3].c_str());
    return std::string(buf) + std::string(next) + "\n";
  };
  std::string out =
      line("tag", "algorithm", "role", "state", "goal", {"dnskey", "krrsig", "zrrsig", "ds"}, "next");
  for (const auto& k : keys) {
    std::array<std::string, 4> records{"-", "-", "-", "-"};
    for (std::size_t i = 0; i < k.records.size() && i < records.size(); ++i) records[i] = k.records[i];
    auto alg = hsm::algorithm_from_number(k.algorithm);
    const std::string alg_name = alg ? std::string(hsm::name(*alg)) : std::to_string(k.algorithm);
    out += line(std::to_string(k.tag), alg_name, k.role, k.state, k.goal, records, k.next);
  }
  return out;
}

std::string keys(const std::optional<dns::Name>& zone, const Args&, const ControlActions& a) {
  auto one = find_zone(a.statuses(), *zone);
  if (!one) return error_reply(not_configured(*zone));
  return ok_reply(keys_text(one->keys),
                  "\"zone\":" + json_string(one->zone) + ",\"keys\":" + keys_to_json(one->keys));
}

std::string done_or_error(const base::Result<std::string>& done) {
  return done ? ok_reply(*done) : error_reply(done.error().detail);
}

std::string reload(const std::optional<dns::Name>&, const Args&, const ControlActions& a) {
  return done_or_error(a.reload());
}
std::string retransfer(const std::optional<dns::Name>& zone, const Args&, const ControlActions& a) {
  return done_or_error(a.retransfer(*zone));
}
std::string notify(const std::optional<dns::Name>& zone, const Args&, const ControlActions& a) {
  return done_or_error(a.notify(*zone));
}

std::optional<std::string> arg(const Args& args, const std::string& name) {
  auto it = args.find(name);
  return it == args.end() ? std::nullopt : std::optional(it->second);
}

// "2026-12-03T18:00:00Z", UTC, as /status writes times.
std::optional<base::TimePoint> parse_utc(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return base::TimePoint{std::chrono::seconds(timegm(&tm))};
}

std::string checkds(const std::optional<dns::Name>& zone, const Args& args, const ControlActions& a) {
  KeyCommand c;
  const auto ds = arg(args, "ds");
  if (ds == "published") {
    c.kind = KeyCommand::Kind::ds_published;
  } else if (ds == "withdrawn") {
    c.kind = KeyCommand::Kind::ds_withdrawn;
  } else {
    return error_reply("checkds: argument 'ds' must be published or withdrawn");
  }
  if (const auto tag = arg(args, "key")) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(tag->data(), tag->data() + tag->size(), value);
    if (ec != std::errc{} || end != tag->data() + tag->size() || value > 65535)
      return error_reply("checkds: key '" + *tag + "' is not a key tag (0-65535)");
    c.tag = static_cast<uint16_t>(value);
  }
  return done_or_error(a.key_command(*zone, c));
}

std::string rollover(const std::optional<dns::Name>& zone, const Args& args, const ControlActions& a) {
  KeyCommand c;
  c.kind = KeyCommand::Kind::rollover;
  const auto role = arg(args, "role");
  const auto parsed = role ? policy::role_from_text(*role) : std::nullopt;
  if (!parsed) return error_reply("rollover: argument 'role' must be ksk, zsk or csk");
  c.role = *parsed;
  if (const auto at = arg(args, "at")) {
    c.at = parse_utc(*at);
    if (!c.at) return error_reply("rollover: at '" + *at + "' is not a UTC time like 2026-12-03T18:00:00Z");
  }
  return done_or_error(a.key_command(*zone, c));
}

std::string step(const std::optional<dns::Name>& zone, const Args&, const ControlActions& a) {
  return done_or_error(a.key_command(*zone, KeyCommand{}));
}

constexpr std::array<Verb, 9> kVerbs{{
    {"status", ZoneArg::optional, &status},
    {"zones", ZoneArg::none, &zones},
    {"reload", ZoneArg::none, &reload},
    {"retransfer", ZoneArg::required, &retransfer},
    {"notify", ZoneArg::required, &notify},
    {"keys", ZoneArg::required, &keys},
    {"checkds", ZoneArg::required, &checkds, {"ds", "key"}},
    {"rollover", ZoneArg::required, &rollover, {"role", "at"}},
    {"step", ZoneArg::required, &step},
}};

std::string known_verbs() {
  std::string out;
  for (const Verb& v : kVerbs) out += (out.empty() ? "" : ", ") + std::string(v.name);
  return out;
}

}  // namespace

std::string answer_control(const ControlRequest& request, const ControlActions& actions) {
  const auto verb =
      std::find_if(kVerbs.begin(), kVerbs.end(), [&](const Verb& v) { return v.name == request.verb; });
  if (verb == kVerbs.end())
    return error_reply("unknown verb '" + request.verb + "' (known: " + known_verbs() + ")");
  for (const auto& [key, value] : request.args) {
    const bool more = std::find(verb->more.begin(), verb->more.end(), key) != verb->more.end();
    if (!more && (key != "zone" || verb->zone == ZoneArg::none))
      return error_reply(request.verb + ": unexpected argument '" + key + "'");
  }
  std::optional<dns::Name> zone;
  if (auto it = request.args.find("zone"); it != request.args.end()) {
    std::string text = it->second;
    if (text.empty() || text.back() != '.') text += '.';
    auto name = dns::Name::from_text(text);
    if (!name) return error_reply("bad zone name '" + it->second + "': " + name.error().detail);
    zone = std::move(*name);
  } else if (verb->zone == ZoneArg::required) {
    return error_reply(request.verb + ": missing argument 'zone'");
  }
  return verb->answer(zone, request.args, actions);
}

}  // namespace signerd
