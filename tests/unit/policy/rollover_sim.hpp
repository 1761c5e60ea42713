// tests/unit/policy/rollover_sim.hpp — a year of rollovers on a fake clock.
//
// Owns: a discrete-event world around policy::evaluate (../shared/KASP.md
// section 5.3, reduced to what the state machine decides): a driver that
// adopts requested keys like the daemon, the served zone history derived by
// publication() (DNSKEY RRset, its signers, the zone signers with a smooth
// re-sign window), a cooperative parent that takes the CDS after a delay and
// reports DS observations, and a resolver-cache checker that enumerates
// every combination of cached DS set, DNSKEY RRset and RRSIG set still
// within their TTLs and checks a validation path (lenient, and strict: one
// per algorithm in the DS set). Does not own: real signatures, NSEC chains,
// secondaries beyond "serve a version up to zone-propagation-delay late".
//
// Test code; single-threaded.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/evaluate.hpp"

namespace signerd::policy::sim {

// Runs evaluate like the daemon: requested keys are created and adopted at
// once and evaluate runs again, until nothing is requested.
class KeyDriver {
 public:
  KeyDriver(Kasp policy, TimePoint start) : kasp(std::move(policy)), now(start) {}

  // One daemon run at `now` with the standing observations (and a step
  // when asked); the last evaluation (after adoption).
  Evaluation run(bool step = false);

  Kasp kasp;
  TimePoint now;
  Mutations mutations;
  Observations standing;  // e.g. manual rollover requests, kept until replaced
  std::vector<ZoneKey> keys;
  std::vector<std::pair<TimePoint, Transition>> log;   // every transition made
  std::vector<std::pair<TimePoint, int64_t>> created;  // key ids adopted
  std::vector<int64_t> purged;
  int64_t next_id = 1;
};

// What the served zone says of one key at one version.
struct KeyPub {
  int64_t id = 0;
  uint8_t algorithm = 0;
  std::optional<int64_t> predecessor;
  Publication pub;
};

struct ServedVersion {
  TimePoint offered;
  std::vector<KeyPub> keys;
  bool cds_delete = false;  // CDS/CDNSKEY DELETE (going insecure while a KSK signs)
};

struct ParentVersion {
  TimePoint applied;
  std::set<int64_t> ds;  // key ids with a DS at the parent
};

// Changes to the served zone or the parent that a broken machine would
// make, for the negative controls (each must make the checker fail).
struct WorldMutations {
  bool cds_at_dnskey_publication = false;      // "DS swapped early": CDS lists a key once its DNSKEY is out
  bool dnskey_leaves_with_signatures = false;  // "ZSK removed early": DNSKEY gone when its ZRRSIG goes U
};

struct WorldOptions {
  Seconds parent_delay = std::chrono::hours(20);  // CDS seen by all secondaries -> DS at the parent
  // manual-mode: an operator who steps this long after the machine reports
  // a blocked move; nullopt: nobody steps.
  std::optional<Seconds> operator_step_delay;
  // A parent that keeps the old DS this long beside the new one; nullopt:
  // it replaces the DS RRset with the CDS in one step.
  std::optional<Seconds> parent_keeps_old_for;
  WorldMutations mutations;
};

// A policy change (or other operator action) at a time.
struct ScriptEvent {
  TimePoint at;
  std::function<void(KeyDriver&)> apply;
};

struct Violation {
  TimePoint at;
  bool strict = false;
  std::string what;
};

class World {
 public:
  World(Kasp policy, TimePoint start, WorldOptions options = {});

  // Runs from the start to `end`, event to event; checks KASP.md I9 on the way
  // (evaluate one second before each wakeup changes nothing).
  void run_until(TimePoint end, std::vector<ScriptEvent> script = {});

  // KASP.md I1/I2: every reachable cache combination at every breakpoint.
  std::vector<Violation> check_caches() const;

  KeyDriver driver;
  std::vector<ServedVersion> zone;
  std::vector<ParentVersion> parent;
  std::vector<std::string> wakeup_violations;  // I9
  size_t evaluations = 0;
  size_t steps = 0;  // operator steps taken (manual-mode)

 private:
  void record_version();
  void parent_acts();
  std::optional<std::set<int64_t>> cds_target() const;

  WorldOptions options_;
  std::optional<TimePoint> parent_action_;
  std::optional<TimePoint> observation_due_;
  std::optional<TimePoint> step_due_;
  std::set<int64_t> observing_added_, observing_removed_;
};

}  // namespace signerd::policy::sim
