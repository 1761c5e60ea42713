// signerd/daemon_context.hpp — what every zone of the running daemon shares.
//
// Owns: nothing by itself; it bundles references to the daemon's shared
// parts so that a ZoneRuntime needs one argument: the clock, the executors
// (network I/O and zone work), the store and key store behind one lock,
// the TSIG keys, and the lock that makes zones take turns on the signing
// pool. Does not own: their lifetimes (the Daemon does).
#pragma once

#include <atomic>
#include <mutex>

#include "base/clock.hpp"
#include "signerd/offline_context.hpp"
#include "xfr/asio.hpp"
#include "xfr/tsig.hpp"

namespace signerd {

namespace asio = boost::asio;

struct DaemonContext {
  const base::Clock& clock;
  asio::io_context& io;          // network: server, NOTIFY out
  asio::thread_pool& zone_pool;  // zone work: transfers in, signing, commits (a strand per zone)
  // The SQLite writer connection and the key store. The store is used by
  // one zone at a time; SQLite itself serialises writers across processes.
  OfflineContext& offline;
  std::mutex& offline_lock;
  // The signing pool is shared: one zone signs at a time, on every core.
  std::mutex& signing_lock;
  const xfr::TsigKeyring& keyring;
  unsigned signing_workers = 2;
  std::atomic<bool>& stopping;
};

}  // namespace signerd
