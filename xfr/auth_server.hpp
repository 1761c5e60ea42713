// xfr/auth_server.hpp — the authoritative endpoint secondaries talk to.
//
// Owns: the UDP sockets and TCP listeners of the hidden primary, TCP
// framing per connection (RFC 7766: several queries per connection, an idle
// timeout, a connection limit), and the counters the status page shows.
// Does not own: what is answered (xfr/query_answer), zone state or ACLs
// (ZoneCatalog), TSIG keys (the caller's keyring, which must outlive it).
//
// Thread-safety: all work runs on the io_context given at construction.
// listen() and stop() must be called from that io_context's thread or while
// it is not running; counters() may be called from any thread. Destroy the
// server after its io_context has stopped running.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "xfr/asio.hpp"
#include "xfr/query_answer.hpp"
#include "xfr/tsig.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd::xfr {

struct ServerLimits {
  size_t max_tcp_connections = 64;                 // over it, new connections are closed at once
  std::chrono::milliseconds idle_timeout{10'000};  // per wait for a message, and per write
  uint16_t max_udp_payload = 1232;                 // our EDNS size (DNS Flag Day 2020)
};

struct ServerCounters {
  uint64_t queries = 0;  // QUERY requests, transfers included
  uint64_t notifies = 0;
  uint64_t axfr_out = 0;  // transfers started in AXFR form
  uint64_t ixfr_out = 0;  // incremental (or single-SOA) IXFR answers
  uint64_t refused = 0;
  uint64_t formerr = 0;
  uint64_t tsig_failures = 0;
  uint64_t tcp_rejected = 0;  // connections over the limit
};

class AuthServer {
 public:
  AuthServer(asio::io_context& io, ZoneCatalog& catalog, const TsigKeyring& keyring, ServerLimits limits,
             const base::Clock& clock);
  AuthServer(const AuthServer&) = delete;
  AuthServer& operator=(const AuthServer&) = delete;
  ~AuthServer();

  // Binds UDP and TCP on every endpoint (port 0: the TCP port follows the
  // one UDP got) and starts serving. Errors: io, naming the address and
  // the protocol, e.g. "listen on 127.0.0.1@53 (tcp): Address already in
  // use"; on error nothing of this call stays bound.
  Result<void> listen(const std::vector<asio::ip::udp::endpoint>& endpoints);

  // The endpoints bound so far (with the ports actually bound).
  std::vector<asio::ip::udp::endpoint> local_endpoints() const;

  // Closes every socket; pending work ends with operation_aborted.
  void stop();

  ServerCounters counters() const noexcept;
  size_t tcp_connections() const noexcept { return connections_.size(); }

 private:
  using Udp = asio::ip::udp;
  using Tcp = asio::ip::tcp;
  struct Counters {
    std::atomic<uint64_t> queries{0}, notifies{0}, axfr_out{0}, ixfr_out{0}, refused{0}, formerr{0},
        tsig_failures{0}, tcp_rejected{0};
  };

  asio::awaitable<void> udp_loop(std::shared_ptr<Udp::socket> socket);
  asio::awaitable<void> accept_loop(std::shared_ptr<Tcp::acceptor> acceptor);
  asio::awaitable<void> serve_connection(std::shared_ptr<Tcp::socket> socket);
  void count(const Response& response);
  void spawn(asio::awaitable<void> task);

  asio::io_context& io_;
  ZoneCatalog& catalog_;
  const TsigKeyring& keyring_;
  ServerLimits limits_;
  const base::Clock& clock_;
  std::vector<std::shared_ptr<Udp::socket>> udp_;
  std::vector<std::shared_ptr<Tcp::acceptor>> acceptors_;
  std::set<std::shared_ptr<Tcp::socket>> connections_;
  bool stopped_ = false;
  Counters counters_;
};

}  // namespace signerd::xfr
