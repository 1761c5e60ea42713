#include "dnssec/verify_signatures.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <thread>

#include "dnssec/dnskey.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signing_input.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/verify_chain.hpp"
#include "dnssec/verify_crypto.hpp"

namespace signerd::dnssec::verify_detail {
namespace {

using base::Errc;
using dns::RRType;

// Nodes a worker takes at a time: small enough that two workers finish
// within a block's time of each other (about 500 RRSIGs, 15 ms at P-256),
// large enough that taking one is rare.
constexpr size_t kBlockNodes = 256;
constexpr size_t kNoFailure = std::numeric_limits<size_t>::max();

std::string time_text(uint32_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

// RFC 1982 serial arithmetic, as RFC 4034 section 3.1.5 asks for the
// signature times: a <= b when b is at most 2^31 - 1 seconds after a.
bool serial_le(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(b - a) >= 0; }

// What one RRSIG is judged against.
struct SigCheck {
  const RrsigFields& fields;
  dns::NameView owner;
  dns::NameView apex;
  uint32_t ttl;  // of the covered RRset
  uint32_t now;
};

// The field rules of RFC 4035 section 5.3.1, with the signer's side of
// RFC 4034 section 3.1.4 (original TTL); the time rules last.
struct FieldRule {
  bool (*broken)(const SigCheck&);
  std::string (*describe)(const SigCheck&);
};

constexpr FieldRule kFieldRules[] = {
    {[](const SigCheck& c) { return !(c.fields.signer == c.apex); },
     [](const SigCheck& c) { return "signer name " + c.fields.signer.to_text() + " is not the apex"; }},
    {[](const SigCheck& c) { return c.fields.labels != rrsig_labels(c.owner); },
     [](const SigCheck& c) {
       return "labels " + std::to_string(c.fields.labels) + ", expected " +
              std::to_string(rrsig_labels(c.owner));
     }},
    {[](const SigCheck& c) { return c.fields.original_ttl != c.ttl; },
     [](const SigCheck& c) {
       return "original TTL " + std::to_string(c.fields.original_ttl) + " differs from the RRset TTL " +
              std::to_string(c.ttl);
     }},
    {[](const SigCheck& c) { return !serial_le(c.fields.inception, c.fields.expiration); },
     [](const SigCheck& c) {
       return "inception " + time_text(c.fields.inception) + " after expiration " +
              time_text(c.fields.expiration);
     }},
    {[](const SigCheck& c) { return !serial_le(c.fields.inception, c.now); },
     [](const SigCheck& c) {
       return "signature not yet valid (inception " + time_text(c.fields.inception) + ")";
     }},
    {[](const SigCheck& c) { return !serial_le(c.now, c.fields.expiration); },
     [](const SigCheck& c) {
       return "signature expired (expiration " + time_text(c.fields.expiration) + ")";
     }},
};

// One worker's view: the shared, read-only zone and keys, its own
// checker and counts.
struct Context {
  const dns::ZoneVersion& zone;
  const KeySet& keys;
  uint32_t now;
  const VerifyOptions& options;
  SignatureChecker& checker;
  SignatureTotals& totals;
};

// One RRSIG over `rrset`; returns the key it verifies with. Key tags are
// not unique (RFC 4034 appendix B), so every key with the tag is tried.
base::Result<const ZoneKey*> check_rrsig(const Context& ctx, dns::NodeView node, dns::RRsetView rrset,
                                         const ParsedRrsig& sig) {
  const RrsigFields& f = sig.fields;
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, ctx.zone, node.owner(), rrset.type(),
                      "RRSIG key tag " + std::to_string(f.key_tag) + " algorithm " +
                          std::to_string(f.algorithm) + ": " + what);
  };
  SigCheck check{f, node.owner(), ctx.zone.apex().owner(), rrset.ttl(), ctx.now};
  for (const FieldRule& rule : kFieldRules) {
    if (rule.broken(check)) return fail(Errc::conflict, rule.describe(check));
  }
  auto input = signing_input(f, node.owner(), ctx.zone.rclass(), rrset);
  if (!input) return fail(input.error().code, input.error().detail);
  bool found = false;
  for (size_t k = 0; k < ctx.keys.keys.size(); ++k) {
    const ZoneKey& key = ctx.keys.keys[k];
    if (key.tag != f.key_tag || static_cast<uint8_t>(key.algorithm) != f.algorithm) continue;
    // RFC 5011 section 3: a revoked key signs only the DNSKEY RRset.
    if ((key.flags & kDnskeyRevoke) != 0 && rrset.type() != RRType::DNSKEY) continue;
    found = true;
    if (ctx.checker.verify(k, *input, sig.signature)) return &key;
  }
  if (!found) return fail(Errc::conflict, "no such zone key in the DNSKEY RRset");
  return fail(Errc::conflict, "signature does not verify");
}

// RFC 4035 section 2.2 and RFC 6840 section 5.11: a valid RRSIG for each
// algorithm of the zone keys; for the DNSKEY RRset optionally by a SEP key.
base::Result<void> check_rrset(const Context& ctx, dns::NodeView node, dns::RRsetView rrset,
                               std::span<const ParsedRrsig> sigs) {
  ++ctx.totals.rrsets;
  bool want_sep = ctx.options.require_sep_for_dnskey && rrset.type() == RRType::DNSKEY;
  std::vector<uint8_t> good;  // algorithms with a valid (SEP, if wanted) RRSIG
  std::optional<base::Error> first_failure;
  for (const ParsedRrsig& sig : sigs) {
    if (sig.fields.type_covered != rrset.type()) continue;
    auto key = check_rrsig(ctx, node, rrset, sig);
    if (!key) {
      if (ctx.options.strict_signatures) return std::move(key).error();
      if (!first_failure) first_failure = std::move(key).error();
      continue;
    }
    ++ctx.totals.signatures;
    if (!want_sep || ((*key)->flags & kDnskeySep) != 0) good.push_back(sig.fields.algorithm);
  }
  for (uint8_t alg : ctx.keys.algorithms) {
    if (std::find(good.begin(), good.end(), alg) != good.end()) continue;
    std::string what = std::string("no valid RRSIG") + (want_sep ? " by a SEP key" : "") + " of algorithm " +
                       std::to_string(alg) + " (RFC 4035 2.2)";
    if (first_failure) what += "; " + first_failure->detail;
    return zone_error(Errc::not_found, ctx.zone, node.owner(), rrset.type(), what);
  }
  return base::ok();
}

const char* why_unsigned(NodeRole role) noexcept {
  switch (role) {
    case NodeRole::occluded: return "occluded data (glue, or below a DNAME) is not signed";
    case NodeRole::delegation: return "at a delegation only DS and NSEC are signed (RFC 4035 2.2)";
    default: return "this RRset is not signed";
  }
}

// Every RRSIG at `node` covers an RRset that is there and must be signed,
// with that RRset's TTL (RFC 4034 section 3); then every such RRset has
// its RRSIGs.
base::Result<void> check_node(const Context& ctx, dns::NodeView node) {
  NodeRole role = role_of(node);
  std::vector<ParsedRrsig> sigs;
  for (size_t g = 0; g < node.rrset_count(); ++g) {
    dns::RRsetView rrsigs = node.rrset(g);
    if (rrsigs.type() != RRType::RRSIG) continue;
    for (size_t i = 0; i < rrsigs.size(); ++i) {
      auto sig = parse_rrsig_rdata(rrsigs.rdata(i));
      if (!sig) return zone_error(Errc::malformed, ctx.zone, node.owner(), RRType::RRSIG, sig.error().detail);
      RRType covered = sig->fields.type_covered;
      auto what = [&](const std::string& why) {
        return "RRSIG covering " + dns::to_text(covered) + ": " + why;
      };
      auto covered_set = node.find(covered);
      if (!covered_set || covered == RRType::RRSIG) {
        return zone_error(Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG, what("no such RRset here"));
      }
      if (!is_signed(role, covered)) {
        return zone_error(Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG, what(why_unsigned(role)));
      }
      if (rrsigs.ttl() != covered_set->ttl()) {
        return zone_error(
            Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG,
            what("TTL " + std::to_string(rrsigs.ttl()) + " differs from the covered RRset's TTL " +
                 std::to_string(covered_set->ttl()) + " (RFC 4034 3)"));
      }
      sigs.push_back(std::move(*sig));
    }
  }
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    dns::RRsetView rrset = node.rrset(i);
    if (is_signed(role, rrset.type())) SIGNERD_TRY(check_rrset(ctx, node, rrset, sigs));
  }
  return base::ok();
}

// What every worker shares: the zone, the keys, the next block to take
// and the earliest failing node known so far.
struct Pool {
  const dns::ZoneVersion& zone;
  const KeySet& keys;
  const VerifyKeys& verify_keys;
  uint32_t now;
  const VerifyOptions& options;
  std::atomic<size_t> next_block{0};
  std::atomic<size_t> first_failure{kNoFailure};

  void failed_at(size_t node) noexcept {
    size_t known = first_failure.load(std::memory_order_relaxed);
    while (node < known && !first_failure.compare_exchange_weak(known, node, std::memory_order_relaxed)) {
    }
  }
};

// One worker's outcome: counts, and its first failure, if any.
struct WorkerResult {
  SignatureTotals totals;
  size_t failed_node = kNoFailure;
  std::optional<base::Error> error;
  std::exception_ptr exception;
};

// Takes blocks in canonical order until none is left. A worker that finds a
// failure stops; one that reaches a node after a failure already found
// stops too: nothing it could find there would be reported.
void run_worker(Pool& pool, WorkerResult& out) noexcept {
  size_t node = 0;
  try {
    SignatureChecker checker(pool.verify_keys);
    const Context ctx{pool.zone, pool.keys, pool.now, pool.options, checker, out.totals};
    const size_t count = pool.zone.node_count();
    for (;;) {
      const size_t first = pool.next_block.fetch_add(1, std::memory_order_relaxed) * kBlockNodes;
      if (first >= count) return;
      const size_t last = std::min(count, first + kBlockNodes);
      for (node = first; node < last; ++node) {
        if (node > pool.first_failure.load(std::memory_order_relaxed)) return;
        auto checked = check_node(ctx, pool.zone.node(node));
        if (checked) continue;
        out.failed_node = node;
        out.error = std::move(checked).error();
        pool.failed_at(node);
        return;
      }
    }
  } catch (...) {
    out.failed_node = node;
    out.exception = std::current_exception();
    pool.failed_at(node);
  }
}

}  // namespace

size_t verify_threads(size_t requested, size_t node_count) noexcept {
  size_t n = requested != 0 ? requested : std::thread::hardware_concurrency();
  const size_t blocks = (node_count + kBlockNodes - 1) / kBlockNodes;
  return std::max<size_t>(1, std::min(n, blocks));
}

base::Result<SignatureTotals> verify_signatures(const dns::ZoneVersion& zone, const KeySet& keys,
                                                uint32_t now, const VerifyOptions& options) {
  VerifyKeys verify_keys;
  for (const ZoneKey& key : keys.keys) verify_keys.add(key.algorithm, key.public_key);
  Pool pool{zone, keys, verify_keys, now, options};
  const size_t n = verify_threads(options.threads, zone.node_count());
  std::vector<WorkerResult> results(n);
  {
    std::vector<std::jthread> threads;
    threads.reserve(n - 1);
    for (size_t w = 1; w < n; ++w)
      threads.emplace_back([&pool, &results, w] { run_worker(pool, results[w]); });
    run_worker(pool, results[0]);
  }  // the jthreads join here
  SignatureTotals totals{0, 0, n};
  WorkerResult* first = nullptr;
  for (WorkerResult& r : results) {
    totals.rrsets += r.totals.rrsets;
    totals.signatures += r.totals.signatures;
    if (r.failed_node != kNoFailure && (first == nullptr || r.failed_node < first->failed_node)) first = &r;
  }
  if (first == nullptr) return totals;
  if (first->exception) std::rethrow_exception(first->exception);
  return std::move(*first->error);
}

}  // namespace signerd::dnssec::verify_detail
