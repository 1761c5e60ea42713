#include "xfr/soa_query.hpp"

#include <optional>
#include <string>
#include <vector>

#include "xfr/client_query.hpp"
#include "xfr/ixfr_parser.hpp"
#include "xfr/tcp_message.hpp"
#include "xfr/transfer_in.hpp"

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;
using boost::system::error_code;
using Steady = std::chrono::steady_clock;

struct Exchange {
  QuerySpec spec;
  std::optional<TsigClient> tsig;
  std::vector<uint8_t> query;
};

Result<Exchange> prepare(const dns::Name& zone, const TsigKey* key, bool udp, const base::Clock& clock) {
  Exchange x;
  x.spec.question = dns::Question{zone, dns::RRType::SOA, dns::RRClass::IN};
  x.spec.id = random_query_id();
  x.spec.edns = udp;
  if (key != nullptr) x.tsig.emplace(*key);
  auto q = build_query(x.spec, x.tsig ? &*x.tsig : nullptr, clock.now());
  if (!q) return std::move(q).error();
  x.query = std::move(*q);
  return x;
}

// The checks common to UDP and TCP, after parsing. TC is the caller's.
Result<uint32_t> read_serial(Exchange& x, const dns::Message& m, std::span<const uint8_t> wire,
                             const base::Clock& clock) {
  SIGNERD_TRY(check_answer_header(m, x.spec, true));
  Result<void> signed_ok;
  if (x.tsig) signed_ok = x.tsig->verify_response(m, wire, clock.now());
  if (m.rcode() != 0) {
    std::string detail = "RCODE " + rcode_name(m.rcode());
    if (!signed_ok) detail += "; TSIG: " + signed_ok.error().detail;
    return make_error(Errc::malformed, std::move(detail));
  }
  if (!signed_ok) return make_error(signed_ok.error().code, "TSIG: " + signed_ok.error().detail);
  if (m.header.tc) return make_error(Errc::malformed, "truncated answer");
  if (!m.header.aa) return make_error(Errc::malformed, "answer is not authoritative (AA clear)");
  for (const dns::Record& r : m.answer) {
    if (r.type != dns::RRType::SOA || r.rclass != dns::RRClass::IN) continue;
    if (r.owner != x.spec.question.qname) {
      return make_error(Errc::malformed, "SOA owner " + r.owner.to_text() + " is not the zone");
    }
    if (auto serial = soa_serial(r.rdata)) return *serial;
    return make_error(Errc::malformed, "truncated SOA");
  }
  return make_error(Errc::malformed, "no SOA in the answer");
}

asio::awaitable<Result<uint32_t>> over_tcp(asio::ip::tcp::endpoint peer, const dns::Name& zone,
                                           const TsigKey* key, std::chrono::milliseconds timeout,
                                           const base::Clock& clock) {
  auto x = prepare(zone, key, false, clock);
  if (!x) co_return std::move(x).error();
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  const SteadyTime deadline = Steady::now() + timeout;
  if (auto c = co_await connect_tcp(socket, peer, deadline); !c) co_return std::move(c).error();
  if (auto w = co_await write_tcp_message(socket, x->query, deadline); !w) co_return std::move(w).error();
  auto wire = co_await read_tcp_message(socket, deadline);
  if (!wire) co_return std::move(wire).error();
  auto m = dns::Message::parse(*wire);
  if (!m) co_return std::move(m).error();
  co_return read_serial(*x, *m, *wire, clock);
}

// Ok(nullopt) when the answer is truncated and TCP must follow.
asio::awaitable<Result<std::optional<uint32_t>>> over_udp(asio::ip::udp::endpoint peer, const dns::Name& zone,
                                                          const TsigKey* key,
                                                          std::chrono::milliseconds timeout,
                                                          const base::Clock& clock) {
  auto x = prepare(zone, key, true, clock);
  if (!x) co_return std::move(x).error();
  asio::ip::udp::socket socket(co_await asio::this_coro::executor);
  error_code ec;
  socket.open(peer.protocol(), ec);
  if (ec) co_return make_error(Errc::io, "socket: " + ec.message());
  const SteadyTime deadline = Steady::now() + timeout;
  SocketWatchdog dog(socket, deadline);
  co_await socket.async_send_to(asio::buffer(x->query), peer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return make_error(Errc::io, "sending: " + ec.message());
  std::vector<uint8_t> buf(65535);
  for (;;) {
    asio::ip::udp::endpoint from;
    size_t n = co_await socket.async_receive_from(asio::buffer(buf), from,
                                                  asio::redirect_error(asio::use_awaitable, ec));
    if (dog.fired())
      co_return make_error(Errc::io, "timed out after " + std::to_string(timeout.count()) + " ms");
    if (ec) co_return make_error(Errc::io, "receiving: " + ec.message());
    if (from != peer) continue;  // not our primary: ignore rather than trust
    std::span<const uint8_t> wire(buf.data(), n);
    auto m = dns::Message::parse(wire);
    if (!m) co_return std::move(m).error();
    if (m->header.tc && m->header.id == x->spec.id && m->rcode() == 0) co_return std::optional<uint32_t>{};
    auto serial = read_serial(*x, *m, wire, clock);
    if (!serial) co_return std::move(serial).error();
    co_return std::optional<uint32_t>{*serial};
  }
}

}  // namespace

// g++ 12 reports a false -Wmismatched-new-delete on this coroutine's frame
// (Asio's awaitable_frame_base pairs its own operator new and delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<Result<uint32_t>> query_soa_serial(asio::ip::udp::endpoint primary, dns::Name zone,
                                                   const TsigKey* key, std::chrono::milliseconds timeout,
                                                   const base::Clock& clock) {
  auto context = [&](const char* how, base::Error e) {
    e.detail = "zone " + zone.to_text() + ": SOA query (" + how + ") to " + primary.address().to_string() +
               "#" + std::to_string(primary.port()) + ": " + e.detail;
    return e;
  };
  auto udp = co_await over_udp(primary, zone, key, timeout, clock);
  if (!udp) co_return context("UDP", std::move(udp).error());
  if (*udp) co_return **udp;
  auto tcp = co_await over_tcp(asio::ip::tcp::endpoint(primary.address(), primary.port()), zone, key, timeout,
                               clock);
  if (!tcp) co_return context("TCP", std::move(tcp).error());
  co_return *tcp;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace signerd::xfr
