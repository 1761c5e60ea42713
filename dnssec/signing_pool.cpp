#include "dnssec/signing_pool.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <string>
#include <thread>

#include "dnssec/signing_input.hpp"

namespace signerd::dnssec::detail {
namespace {

using base::Errc;
using base::Error;
using base::make_error;

// FNV-1a (64 bit) over the lowercased owner and the type: cheap, stable
// across runs and platforms, which std::hash is not.
uint64_t jitter_hash(dns::NameView owner, dns::RRType type) noexcept {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 0x100000001b3ull;
  };
  for (uint8_t b : owner.wire()) mix(dns::to_lower_octet(b));
  mix(static_cast<uint8_t>(dns::code(type) >> 8));
  mix(static_cast<uint8_t>(dns::code(type) & 0xff));
  return h;
}

// RFC 4034 section 3.1.5: seconds since the epoch, modulo 2^32 (serial
// number arithmetic, RFC 1982, lets validators compare across the wrap).
uint32_t wire_time(base::TimePoint t) noexcept {
  return static_cast<uint32_t>(static_cast<uint64_t>(t.time_since_epoch().count()));
}

std::string describe(const SignJob& job) { return job.owner.to_text() + " " + dns::to_text(job.type); }

Result<dns::Rdata> sign_one(const SignJob& job, const SignContext& ctx, hsm::PrivateKey& key,
                            uint16_t key_tag) {
  RrsigFields fields = rrsig_fields(job, ctx, hsm::number(key.algorithm()), key_tag);
  Result<std::vector<uint8_t>> input = [&]() -> Result<std::vector<uint8_t>> {
    if (job.rrset) return signing_input(fields, job.owner, ctx.rclass, *job.rrset);
    const std::span<const uint8_t> one[] = {job.rdata};
    return signing_input(fields, job.owner, ctx.rclass, one);
  }();
  if (!input) return std::move(input).error();
  auto signature = key.sign(*input);
  if (!signature) {
    Error e = std::move(signature).error();
    e.detail = "signing " + describe(job) + " with key " + std::to_string(key_tag) + ": " + e.detail;
    return e;
  }
  return make_rrsig_rdata(fields, *signature);
}

// One worker's chunk [first, last), appended to `out` in job then key order.
Result<void> sign_chunk(std::span<const SignJob> jobs, size_t first, size_t last, const SignContext& ctx,
                        WorkerKeys& worker, std::vector<SignedRecord>& out) {
  for (size_t j = first; j < last; ++j) {
    for (size_t k = 0; k < ctx.keys.size(); ++k) {
      if (!ctx.keys[k].signs_rrset(jobs[j].type)) continue;
      auto rrsig = sign_one(jobs[j], ctx, *worker.keys[k], ctx.key_tags[k]);
      if (!rrsig) return std::move(rrsig).error();
      out.push_back({j, std::move(*rrsig), {}});
    }
  }
  return base::ok();
}

// A worker thread's body: exceptions (allocation failure, a backend's
// std::exception) end at this task boundary as an Error (STYLE section 4).
void run_worker(std::span<const SignJob> jobs, size_t first, size_t last, const SignContext& ctx,
                WorkerKeys& worker, std::vector<SignedRecord>& out, Result<void>& status) noexcept {
  try {
    status = sign_chunk(jobs, first, last, ctx, worker, out);
  } catch (const std::exception& e) {
    status = make_error(Errc::internal, std::string("signing worker: ") + e.what());
  }
}

}  // namespace

Result<WorkerKeys> open_worker_keys(hsm::KeyStore& store, std::span<const SigningKey> keys) {
  auto session = store.open_for_worker();
  if (!session) return std::move(session).error();
  WorkerKeys worker{std::move(*session), {}};
  for (const SigningKey& k : keys) {
    auto key = worker.session->open(k.ref, k.algorithm);
    if (!key) {
      Error e = std::move(key).error();
      e.detail = "key " + k.ref + ": " + e.detail;
      return e;
    }
    worker.keys.push_back(std::move(*key));
  }
  return worker;
}

RrsigFields rrsig_fields(const SignJob& job, const SignContext& ctx, uint8_t algorithm, uint16_t key_tag) {
  const SigningParams& p = *ctx.params;
  const auto span = static_cast<uint64_t>(std::max<int64_t>(p.jitter.count(), 0)) + 1;
  const std::chrono::seconds jitter(static_cast<int64_t>(jitter_hash(job.owner, job.type) % span));
  RrsigFields f;
  f.type_covered = job.type;
  f.algorithm = algorithm;
  f.labels = rrsig_labels(job.owner);
  f.original_ttl = job.ttl;  // RFC 4034 3.1.4: the TTL as it appears in the zone
  f.inception = wire_time(ctx.now - p.inception_offset);
  f.expiration = wire_time(ctx.now + p.validity - jitter);
  f.key_tag = key_tag;
  f.signer = dns::Name(ctx.signer);
  return f;
}

Result<std::vector<SignedRecord>> sign_jobs(std::span<const SignJob> jobs, const SignContext& ctx,
                                            std::vector<WorkerKeys> workers) {
  return sign_jobs(jobs, ctx, std::span<WorkerKeys>(workers));
}

Result<std::vector<SignedRecord>> sign_jobs(std::span<const SignJob> jobs, const SignContext& ctx,
                                            std::span<WorkerKeys> workers) {
  if (workers.empty()) return make_error(Errc::invalid_argument, "sign_jobs: no worker");
  const size_t n = std::min(workers.size(), std::max<size_t>(jobs.size(), 1));
  std::vector<std::vector<SignedRecord>> parts(n);
  std::vector<Result<void>> status(n);
  auto bounds = [&](size_t w) { return std::pair{jobs.size() * w / n, jobs.size() * (w + 1) / n}; };
  if (n == 1) {
    run_worker(jobs, 0, jobs.size(), ctx, workers[0], parts[0], status[0]);
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(n);
    for (size_t w = 0; w < n; ++w) {
      auto [first, last] = bounds(w);
      threads.emplace_back([&, w, first = first, last = last] {
        run_worker(jobs, first, last, ctx, workers[w], parts[w], status[w]);
      });
    }
  }  // the jthreads join here
  std::vector<SignedRecord> out;
  size_t total = 0;
  for (size_t w = 0; w < n; ++w) {
    if (!status[w]) return std::move(status[w]).error();
    total += parts[w].size();
  }
  out.reserve(total);
  for (auto& part : parts) std::move(part.begin(), part.end(), std::back_inserter(out));
  return out;
}

}  // namespace signerd::dnssec::detail
