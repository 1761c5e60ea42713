// signerd/metrics.cpp — metric families as checked tables, one writer.
//
// Each family is a row: name, type, help and a function that writes its
// samples. The static_asserts at the end of the tables hold the naming
// rules that `promtool check metrics` lints (counters and only counters end
// in _total, everything has the signerd_ prefix, HELP needs no escaping).
#include "signerd/metrics.hpp"

#include <concepts>
#include <initializer_list>
#include <utility>

namespace signerd {
namespace {

enum class Kind { gauge, counter };

using Label = std::pair<std::string_view, std::string_view>;

// Writes one family after another; a family's header goes out with its
// first sample, so a family without samples leaves no trace.
class Writer {
 public:
  void begin(std::string_view name, Kind kind, std::string_view help) {
    name_ = name;
    kind_ = kind;
    help_ = help;
    header_written_ = false;
  }

  template <std::integral T>
  void sample(std::initializer_list<Label> labels, T value) {
    write(labels, std::to_string(value));
  }

  std::string take() { return std::move(out_); }

 private:
  void write(std::initializer_list<Label> labels, const std::string& value) {
    if (!header_written_) {
      out_.append("# HELP ").append(name_).append(" ").append(help_).append("\n");
      out_.append("# TYPE ").append(name_).append(kind_ == Kind::counter ? " counter\n" : " gauge\n");
      header_written_ = true;
    }
    out_ += name_;
    if (labels.size() != 0) {
      char sep = '{';
      for (const auto& [key, val] : labels) {
        out_.append(1, sep).append(key).append("=\"").append(metrics_label_escape(val)).append("\"");
        sep = ',';
      }
      out_ += '}';
    }
    out_.append(" ").append(value).append("\n");
  }

  std::string out_;
  std::string_view name_, help_;
  Kind kind_ = Kind::gauge;
  bool header_written_ = false;
};

int64_t unix_seconds(base::TimePoint t) { return static_cast<int64_t>(t.time_since_epoch().count()); }

template <class T>
void zone_sample(Writer& w, const ZoneStatus& s, const std::optional<T>& v) {
  if (v) w.sample({{"zone", s.zone}}, *v);
}

void zone_time(Writer& w, const ZoneStatus& s, const std::optional<base::TimePoint>& t) {
  if (t) w.sample({{"zone", s.zone}}, unix_seconds(*t));
}

template <class Source>
struct Family {
  std::string_view name;
  Kind kind;
  std::string_view help;
  Source samples;
};

using ZoneFamily = Family<void (*)(Writer&, const ZoneStatus&, base::TimePoint now)>;
using ProcessFamily = Family<void (*)(Writer&, const ProcessInfo&)>;

constexpr ProcessFamily kProcessFamilies[] = {
    {"signerd_build_info", Kind::gauge, "Always 1; the label names the signerd version.",
     [](Writer& w, const ProcessInfo& p) {
       w.sample({{"version", p.version}}, 1);
     }},
    {"signerd_start_time_seconds", Kind::gauge, "When the daemon started, in seconds since the Unix epoch.",
     [](Writer& w, const ProcessInfo& p) { w.sample({}, unix_seconds(p.start_time)); }},
    {"signerd_zones_configured", Kind::gauge, "Zones in the running configuration.",
     [](Writer& w, const ProcessInfo& p) { w.sample({}, p.zones_configured); }},
    {"signerd_http_responses_total", Kind::counter, "HTTP answers of the status listener, by status code.",
     [](Writer& w, const ProcessInfo& p) {
       for (const auto& [code, n] : p.http_responses) w.sample({{"code", std::to_string(code)}}, n);
     }},
    {"signerd_dns_queries_total", Kind::counter, "DNS QUERY requests received, transfers included.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->queries);
     }},
    {"signerd_dns_notifies_in_total", Kind::counter, "NOTIFY requests received.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->notifies);
     }},
    {"signerd_dns_transfers_out_total", Kind::counter, "Zone transfers served, by kind (axfr or ixfr).",
     [](Writer& w, const ProcessInfo& p) {
       if (!p.dns) return;
       w.sample({{"kind", "axfr"}}, p.dns->axfr_out);
       w.sample({{"kind", "ixfr"}}, p.dns->ixfr_out);
     }},
    {"signerd_dns_refused_total", Kind::counter, "DNS requests answered REFUSED.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->refused);
     }},
    {"signerd_dns_formerr_total", Kind::counter, "DNS requests answered FORMERR.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->formerr);
     }},
    {"signerd_dns_tsig_failures_total", Kind::counter, "DNS requests whose TSIG did not verify.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->tsig_failures);
     }},
    {"signerd_dns_tcp_rejected_total", Kind::counter, "DNS TCP connections closed at once: over the limit.",
     [](Writer& w, const ProcessInfo& p) {
       if (p.dns) w.sample({}, p.dns->tcp_rejected);
     }},
};

constexpr ZoneFamily kZoneFamilies[] = {
    {"signerd_zone_upstream_serial", Kind::gauge, "SOA serial of the primary's version that signerd holds.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_sample(w, s, s.upstream_serial); }},
    {"signerd_zone_signed_serial", Kind::gauge, "SOA serial of the signed version served.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_sample(w, s, s.signed_serial); }},
    {"signerd_zone_earliest_signature_expiry_timestamp_seconds", Kind::gauge,
     "When the first served RRSIG expires, in seconds since the Unix epoch.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_time(w, s, s.earliest_expiry); }},
    {"signerd_zone_signature_refresh_window_seconds", Kind::gauge,
     "The policy's signatures-refresh: unhealthy when a signature expires within it.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       w.sample({{"zone", s.zone}}, static_cast<int64_t>(s.refresh_window.count()));
     }},
    {"signerd_zone_next_refresh_timestamp_seconds", Kind::gauge,
     "When the primaries are asked for the SOA next, in seconds since the Unix epoch.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_time(w, s, s.next_refresh); }},
    {"signerd_zone_upstream_expired_timestamp_seconds", Kind::gauge,
     "Since when the primaries are unreachable past the SOA expire; absent while they answer.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_time(w, s, s.expired_upstream); }},
    {"signerd_zone_next_key_event_seconds", Kind::gauge,
     "Seconds until the key state machine runs next; negative when overdue.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint now) {
       if (s.next_key_event)
         w.sample({{"zone", s.zone}}, static_cast<int64_t>((*s.next_key_event - now).count()));
     }},
    {"signerd_zone_keys", Kind::gauge, "Keys of the zone by role (csk, ksk, zsk) and state.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       std::map<std::pair<std::string, std::string>, uint64_t> counts;
       for (const auto& k : s.keys) ++counts[{k.role, k.state}];
       for (const auto& [key, n] : counts)
         w.sample({{"zone", s.zone}, {"role", key.first}, {"state", key.second}}, n);
     }},
    {"signerd_zone_keys_awaiting_parent", Kind::gauge,
     "Keys waiting for their DS to appear or go at the parent.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       uint64_t n = 0;
       for (const auto& k : s.keys) n += k.parent.empty() ? 0 : 1;
       w.sample({{"zone", s.zone}}, n);
     }},
    {"signerd_zone_healthy", Kind::gauge, "1 when /healthz counts the zone healthy, else 0.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint now) {
       w.sample({{"zone", s.zone}}, s.healthy(now, nullptr) ? 1 : 0);
     }},
    {"signerd_zone_errors", Kind::gauge, "Errors listed in /status for the zone (the last 10 at most).",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       w.sample({{"zone", s.zone}}, s.errors.size());
     }},
    {"signerd_zone_signatures_made_total", Kind::counter, "RRSIGs made for the zone since it started.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       w.sample({{"zone", s.zone}}, s.signatures_made);
     }},
    {"signerd_zone_versions_published_total", Kind::counter,
     "Signed versions published since the zone started.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       w.sample({{"zone", s.zone}}, s.versions_published);
     }},
    {"signerd_zone_last_transfer_timestamp_seconds", Kind::gauge,
     "When the last refresh from a primary ended, in seconds since the Unix epoch.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) { zone_time(w, s, s.last_transfer_time); }},
    {"signerd_zone_last_transfer_success", Kind::gauge,
     "1 when the last refresh succeeded, else 0; kind is axfr, ixfr or up-to-date.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       if (!s.last_transfer_time) return;
       w.sample({{"zone", s.zone}, {"kind", s.last_transfer_kind}}, s.last_transfer_result == "ok" ? 1 : 0);
     }},
    {"signerd_zone_transfers_in_total", Kind::counter, "Transfers from the primaries by kind and result.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       for (const auto& [key, n] : s.transfers_in)
         w.sample({{"zone", s.zone}, {"kind", key.first}, {"result", key.second ? "ok" : "error"}}, n);
     }},
    {"signerd_zone_notify_out_last_answered", Kind::gauge,
     "1 when the secondary answered the last NOTIFY sent to it, else 0.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       for (const auto& n : s.last_notify) w.sample({{"zone", s.zone}, {"peer", n.peer}}, n.answered ? 1 : 0);
     }},
    {"signerd_zone_notify_out_last_serial", Kind::gauge,
     "The serial of the last NOTIFY sent to the secondary.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       for (const auto& n : s.last_notify) w.sample({{"zone", s.zone}, {"peer", n.peer}}, n.serial);
     }},
    {"signerd_zone_notify_out_last_timestamp_seconds", Kind::gauge,
     "When the last NOTIFY to the secondary ended, in seconds since the Unix epoch.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       for (const auto& n : s.last_notify)
         w.sample({{"zone", s.zone}, {"peer", n.peer}}, unix_seconds(n.time));
     }},
    {"signerd_zone_notifies_out_total", Kind::counter,
     "NOTIFY rounds (each up to 5 attempts) to a secondary, by result.",
     [](Writer& w, const ZoneStatus& s, base::TimePoint) {
       for (const auto& [key, n] : s.notifies_out)
         w.sample({{"zone", s.zone}, {"peer", key.first}, {"result", key.second ? "answered" : "unanswered"}},
                  n);
     }},
};

template <class Row, std::size_t N>
constexpr bool follows_naming_rules(const Row (&rows)[N]) {
  for (const Row& r : rows) {
    if (!r.name.starts_with("signerd_")) return false;
    if (r.name.ends_with("_total") != (r.kind == Kind::counter)) return false;
    if (r.help.empty() || r.help.find_first_of("\\\n") != std::string_view::npos) return false;
  }
  return true;
}
static_assert(follows_naming_rules(kProcessFamilies));
static_assert(follows_naming_rules(kZoneFamilies));

}  // namespace

std::string metrics_label_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string metrics_text(const std::vector<ZoneStatus>& zones, const ProcessInfo& process,
                         base::TimePoint now) {
  Writer w;
  for (const ProcessFamily& f : kProcessFamilies) {
    w.begin(f.name, f.kind, f.help);
    f.samples(w, process);
  }
  for (const ZoneFamily& f : kZoneFamilies) {
    w.begin(f.name, f.kind, f.help);
    for (const ZoneStatus& z : zones) f.samples(w, z, now);
  }
  return w.take();
}

}  // namespace signerd
