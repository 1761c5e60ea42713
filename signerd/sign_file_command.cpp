// signerctl sign-file, keys and ds: offline signing with keys in the HSM,
// key metadata in the store under the config's state-dir.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "dns/rdata_text.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/verify_zone.hpp"
#include "hsm/algorithm.hpp"
#include "signerd/cli_support.hpp"
#include "signerd/commands.hpp"
#include "signerd/offline_context.hpp"

namespace signerd::cli {
namespace {

constexpr const char* kDefaultConfig = "/etc/signerd/signerd.yaml";

constexpr const char* kSignUsage =
    "usage: signerctl sign-file --zone NAME --in FILE --out FILE [--policy NAME] [--config FILE]\n"
    "                           [--workers N] [--no-verify]\n"
    "  Signs the master file IN with the zone's keys in the HSM that the config names\n"
    "  (default /etc/signerd/signerd.yaml), creating them per policy on first use\n"
    "  and keeping their metadata in the store under state-dir, so later runs reuse them.\n"
    "  The policy is --policy, else the zone's in the config, else 'default'.\n"
    "  The signed zone is checked by signerd's own verifier (unless --no-verify), on\n"
    "  as many threads as sign (--workers, default one per core), and\n"
    "  written to OUT atomically: on any error OUT is not created or changed.\n";

constexpr const char* kKeysUsage = "usage: signerctl keys --zone NAME [--config FILE]\n";
constexpr const char* kDsUsage = "usage: signerctl ds --zone NAME [--config FILE]\n";

int usage(const char* text, const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "signerctl: %s\n", why.c_str());
  std::fputs(text, stderr);
  return 2;
}

int failed(const char* command, const base::Error& e) {
  std::fprintf(stderr, "signerctl %s: %s\n", command, e.to_string().c_str());
  return 1;
}

// The policy named on the command line, else the zone's, else "default".
base::Result<policy::Kasp> choose_policy(const Config& config, const dns::Name& zone,
                                         const std::optional<std::string>& named) {
  std::string name = "default";
  if (named) {
    name = *named;
  } else if (const ZoneConfig* z = config.find_zone(zone)) {
    name = z->policy;
  }
  auto kasp = config.find_policy(name);
  if (!kasp) return base::make_error(base::Errc::not_found, "unknown policy '" + name + "'");
  return *kasp;
}

// Zone keys usable for DS: KSKs and CSKs.
base::Result<std::vector<store::KeyRecord>> sep_keys(OfflineContext& ctx, const dns::Name& zone) {
  auto keys = store::list_keys(ctx.db, zone);
  if (!keys) return std::move(keys).error();
  std::erase_if(*keys, [](const store::KeyRecord& k) {
    return !policy::signs_dnskey(k.role) || policy::summary(k.role, k.life) == "removed";
  });
  return keys;
}

}  // namespace

int sign_file(std::span<const std::string_view> args) {
  static constexpr OptionSpec kSpecs[] = {{"--zone", true, true},       {"--in", true, true},
                                          {"--out", true, true},        {"--policy", true, false},
                                          {"--config", true, false},    {"--workers", true, false},
                                          {"--no-verify", false, false}};
  if (wants_help(args)) {
    std::fputs(kSignUsage, stdout);
    return 0;
  }
  auto opts = Options::parse(args, kSpecs);
  if (!opts) return usage(kSignUsage, opts.error().detail);
  auto zone_name = parse_zone_name(*opts->get("--zone"));
  if (!zone_name) return usage(kSignUsage, zone_name.error().detail);
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  if (auto w = opts->get("--workers"))
    workers = static_cast<unsigned>(std::clamp(std::atoi(w->c_str()), 1, 64));

  auto unsigned_zone = read_zone_reporting(*opts->get("--in"), *zone_name);
  if (!unsigned_zone) return 1;
  auto ctx = OfflineContext::open(opts->value_or("--config", kDefaultConfig));
  if (!ctx) return failed("sign-file", ctx.error());
  auto kasp = choose_policy(ctx->config, *zone_name, opts->get("--policy"));
  if (!kasp) return failed("sign-file", kasp.error());
  if (auto opened = ctx->open_key_store(); !opened) return failed("sign-file", opened.error());

  const base::TimePoint now = base::SystemClock().now();
  if (auto usable = check_policy_algorithms(*ctx->keys, *kasp); !usable)
    return failed("sign-file", usable.error());
  auto keys = ensure_policy_keys(*ctx, *zone_name, *kasp, now);
  if (!keys) return failed("sign-file", keys.error());
  const auto start = std::chrono::steady_clock::now();
  auto signed_zone =
      dnssec::sign_zone(*unsigned_zone, zone_keys(*ctx, *keys), signing_params(*kasp), now, workers);
  if (!signed_zone) return failed("sign-file", signed_zone.error());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!opts->has("--no-verify")) {
    dnssec::VerifyOptions verify;
    verify.threads = workers;  // as many as signed
    auto verified = dnssec::verify_zone(**signed_zone, now, verify);
    if (!verified) return failed("sign-file", verified.error());
  }
  if (auto written = dns::write_zone_file(**signed_zone, *opts->get("--out")); !written) {
    return failed("sign-file", written.error());
  }
  (void)store::audit(
      ctx->db, now, *zone_name, "zone-signed",
      "offline, serial " + std::to_string((*signed_zone)->serial()) + ", policy " + kasp->name);
  std::fprintf(stderr,
               "signerctl sign-file: %s serial %u: %zu records signed with %zu keys (policy %s) in %.2f s\n",
               zone_name->to_text().c_str(), (*signed_zone)->serial(), (*signed_zone)->record_count(),
               keys->size(), kasp->name.c_str(), took.count());
  return 0;
}

int keys_offline(std::span<const std::string_view> args) {
  static constexpr OptionSpec kSpecs[] = {{"--zone", true, true}, {"--config", true, false}};
  if (wants_help(args)) {
    std::fputs(kKeysUsage, stdout);
    return 0;
  }
  auto opts = Options::parse(args, kSpecs);
  if (!opts) return usage(kKeysUsage, opts.error().detail);
  auto zone_name = parse_zone_name(*opts->get("--zone"));
  if (!zone_name) return usage(kKeysUsage, zone_name.error().detail);
  auto ctx = OfflineContext::open(opts->value_or("--config", kDefaultConfig));
  if (!ctx) return failed("keys", ctx.error());
  auto list = store::list_keys(ctx->db, *zone_name);
  if (!list) return failed("keys", list.error());
  // The four record states (KASP.md section 1.1) and the goal after the
  // one-word summary; "-" where the role has no such record.
  std::printf("%-6s %-16s %-4s %-9s %-11s %-11s %-11s %-11s %-11s %s\n", "tag", "algorithm", "role", "state",
              "goal", "dnskey", "krrsig", "zrrsig", "ds", "key");
  for (const auto& k : *list) {
    auto alg = hsm::algorithm_from_number(k.algorithm);
    auto state = [&](policy::Record r) {
      return std::string(policy::has_record(k.role, r) ? policy::state_name(k.life.state(r)) : "-");
    };
    std::printf("%-6u %-16s %-4s %-9s %-11s %-11s %-11s %-11s %-11s %s\n", k.key_tag,
                alg ? std::string(hsm::name(*alg)).c_str() : std::to_string(k.algorithm).c_str(),
                std::string(policy::role_name(k.role)).c_str(),
                std::string(policy::summary(k.role, k.life)).c_str(),
                std::string(policy::goal_name(k.life.goal)).c_str(), state(policy::Record::dnskey).c_str(),
                state(policy::Record::krrsig).c_str(), state(policy::Record::zrrsig).c_str(),
                state(policy::Record::ds).c_str(), k.ref.c_str());
  }
  return 0;
}

int ds(std::span<const std::string_view> args) {
  static constexpr OptionSpec kSpecs[] = {{"--zone", true, true}, {"--config", true, false}};
  if (wants_help(args)) {
    std::fputs(kDsUsage, stdout);
    return 0;
  }
  auto opts = Options::parse(args, kSpecs);
  if (!opts) return usage(kDsUsage, opts.error().detail);
  auto zone_name = parse_zone_name(*opts->get("--zone"));
  if (!zone_name) return usage(kDsUsage, zone_name.error().detail);
  auto ctx = OfflineContext::open(opts->value_or("--config", kDefaultConfig));
  if (!ctx) return failed("ds", ctx.error());
  auto kasp = choose_policy(ctx->config, *zone_name, std::nullopt);
  if (!kasp) return failed("ds", kasp.error());
  auto list = sep_keys(*ctx, *zone_name);
  if (!list) return failed("ds", list.error());
  if (list->empty())
    return failed("ds", base::make_error(base::Errc::not_found, "no KSK or CSK for " + zone_name->to_text()));
  std::string out;
  for (const auto& k : *list) {
    auto dnskey = dnssec::make_dnskey_rdata(k.flags, k.algorithm, k.public_key);
    for (auto digest : {dnssec::DsDigest::sha256, dnssec::DsDigest::sha384}) {
      auto rdata = dnssec::make_ds_rdata(*zone_name, dnskey, digest);
      if (!rdata) return failed("ds", rdata.error());
      dns::append_record_text(*zone_name, static_cast<uint32_t>(kasp->parent_ds_ttl.count()),
                              dns::RRClass::IN, dns::RRType::DS, *rdata, out);
      out += '\n';
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace signerd::cli
