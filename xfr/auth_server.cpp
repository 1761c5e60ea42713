#include "xfr/auth_server.hpp"

#include <exception>
#include <string>

#include "base/log.hpp"
#include "xfr/tcp_message.hpp"

namespace signerd::xfr {
namespace {

using boost::system::error_code;

std::string describe(const asio::ip::udp::endpoint& ep) {
  return ep.address().to_string() + "@" + std::to_string(ep.port());
}

SteadyTime deadline_after(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

}  // namespace

AuthServer::AuthServer(asio::io_context& io, ZoneCatalog& catalog, const TsigKeyring& keyring,
                       ServerLimits limits, const base::Clock& clock)
    : io_(io), catalog_(catalog), keyring_(keyring), limits_(limits), clock_(clock) {}

AuthServer::~AuthServer() { stop(); }

Result<void> AuthServer::listen(const std::vector<asio::ip::udp::endpoint>& endpoints) {
  std::vector<std::shared_ptr<Udp::socket>> udp;
  std::vector<std::shared_ptr<Tcp::acceptor>> tcp;
  for (const auto& ep : endpoints) {
    error_code ec;
    auto u = std::make_shared<Udp::socket>(io_);
    u->open(ep.protocol(), ec);
    if (!ec) u->bind(ep, ec);
    if (ec) return base::make_error(base::Errc::io, "listen on " + describe(ep) + " (udp): " + ec.message());
    udp.push_back(u);
    const Tcp::endpoint tep(ep.address(), u->local_endpoint(ec).port());
    auto a = std::make_shared<Tcp::acceptor>(io_);
    a->open(tep.protocol(), ec);
    if (!ec) a->set_option(Tcp::acceptor::reuse_address(true), ec);
    if (!ec) a->bind(tep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return base::make_error(base::Errc::io, "listen on " + describe(ep) + " (tcp): " + ec.message());
    tcp.push_back(a);
  }
  for (auto& u : udp) {
    udp_.push_back(u);
    spawn(udp_loop(u));
  }
  for (auto& a : tcp) {
    acceptors_.push_back(a);
    spawn(accept_loop(a));
  }
  stopped_ = false;
  return base::ok();
}

std::vector<asio::ip::udp::endpoint> AuthServer::local_endpoints() const {
  std::vector<asio::ip::udp::endpoint> out;
  for (const auto& u : udp_) {
    error_code ec;
    auto ep = u->local_endpoint(ec);
    if (!ec) out.push_back(ep);
  }
  return out;
}

void AuthServer::stop() {
  stopped_ = true;
  error_code ignored;
  for (auto& u : udp_) u->close(ignored);
  for (auto& a : acceptors_) a->close(ignored);
  for (const auto& c : connections_) c->close(ignored);
  udp_.clear();
  acceptors_.clear();
  connections_.clear();
}

ServerCounters AuthServer::counters() const noexcept {
  ServerCounters c;
  c.queries = counters_.queries.load();
  c.notifies = counters_.notifies.load();
  c.axfr_out = counters_.axfr_out.load();
  c.ixfr_out = counters_.ixfr_out.load();
  c.refused = counters_.refused.load();
  c.formerr = counters_.formerr.load();
  c.tsig_failures = counters_.tsig_failures.load();
  c.tcp_rejected = counters_.tcp_rejected.load();
  return c;
}

void AuthServer::count(const Response& r) {
  switch (r.kind()) {
    case RequestKind::dropped: return;
    case RequestKind::query: ++counters_.queries; break;
    case RequestKind::notify: ++counters_.notifies; break;
    case RequestKind::axfr:
      ++counters_.queries;
      ++counters_.axfr_out;
      break;
    case RequestKind::ixfr:
      ++counters_.queries;
      ++counters_.ixfr_out;
      break;
    case RequestKind::other: break;
  }
  if (r.rcode() == 5) ++counters_.refused;
  if (r.rcode() == 1) ++counters_.formerr;
  if (r.tsig_failed()) ++counters_.tsig_failures;
}

// An exception in one task (bad_alloc, a bug) is logged and ends only it.
void AuthServer::spawn(asio::awaitable<void> task) {
  asio::co_spawn(io_, std::move(task), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      base::log::error(std::string("auth server task failed: ") + ex.what());
    }
  });
}

asio::awaitable<void> AuthServer::udp_loop(std::shared_ptr<Udp::socket> socket) {
  std::vector<uint8_t> buf(65535);
  while (!stopped_ && socket->is_open()) {
    Udp::endpoint peer;
    error_code ec;
    const size_t n = co_await socket->async_receive_from(asio::buffer(buf), peer,
                                                         asio::redirect_error(asio::use_awaitable, ec));
    if (ec) continue;  // closed sockets end the loop; ICMP errors do not
    QueryRequest req{std::span<const uint8_t>(buf.data(), n), Transport::udp, peer.address(),
                     limits_.max_udp_payload};
    Response resp = answer_query(catalog_, keyring_, req, clock_.now());
    count(resp);
    if (auto m = resp.next(clock_.now())) {
      co_await socket->async_send_to(asio::buffer(*m), peer, asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

asio::awaitable<void> AuthServer::accept_loop(std::shared_ptr<Tcp::acceptor> acceptor) {
  while (!stopped_ && acceptor->is_open()) {
    Tcp::socket s(io_);
    error_code ec;
    co_await acceptor->async_accept(s, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors and the like: back off instead of spinning.
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (connections_.size() >= limits_.max_tcp_connections) {
      ++counters_.tcp_rejected;
      s.close(ec);
      continue;
    }
    auto conn = std::make_shared<Tcp::socket>(std::move(s));
    connections_.insert(conn);
    spawn(serve_connection(conn));
  }
}

asio::awaitable<void> AuthServer::serve_connection(std::shared_ptr<Tcp::socket> socket) {
  error_code ec;
  const auto peer = socket->remote_endpoint(ec).address();
  bool open = !ec;
  while (open && !stopped_) {
    auto msg = co_await read_tcp_message(*socket, deadline_after(limits_.idle_timeout));
    if (!msg) break;
    QueryRequest req{*msg, Transport::tcp, peer, limits_.max_udp_payload};
    Response resp = answer_query(catalog_, keyring_, req, clock_.now());
    count(resp);
    if (resp.kind() == RequestKind::dropped) break;
    while (auto m = resp.next(clock_.now())) {
      auto w = co_await write_tcp_message(*socket, *m, deadline_after(limits_.idle_timeout));
      if (!w) {
        open = false;
        break;
      }
    }
  }
  socket->close(ec);
  connections_.erase(socket);
}

}  // namespace signerd::xfr
