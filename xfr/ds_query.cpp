#include "xfr/ds_query.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "xfr/client_query.hpp"
#include "xfr/tcp_message.hpp"

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;
using boost::system::error_code;
using Steady = std::chrono::steady_clock;

// One request: a fresh ID and TSIG transaction per exchange.
struct Exchange {
  QuerySpec spec;
  std::optional<TsigClient> tsig;
  std::vector<uint8_t> query;
};

Result<Exchange> prepare(const dns::Name& zone, const TsigKey* key, const base::Clock& clock) {
  Exchange x;
  x.spec.question = dns::Question{zone, dns::RRType::DS, dns::RRClass::IN};
  x.spec.id = random_query_id();
  // RD stays clear (Header's default): the agent is an authority.
  x.spec.edns = true;
  x.spec.dnssec_ok = true;
  if (key != nullptr) x.tsig.emplace(*key);
  auto q = build_query(x.spec, x.tsig ? &*x.tsig : nullptr, clock.now());
  if (!q) return std::move(q).error();
  x.query = std::move(*q);
  return x;
}

DsResponse respond(Exchange& x, dns::Message m, std::span<const uint8_t> wire, bool over_tcp,
                   const base::Clock& clock) {
  DsResponse r{std::move(m), {}, over_tcp};
  if (x.tsig) {
    auto v = x.tsig->verify_response(r.message, wire, clock.now());
    r.tsig = v ? DsTsigCheck{DsTsigCheck::Outcome::verified, ""}
               : DsTsigCheck{DsTsigCheck::Outcome::failed, v.error().detail};
  }
  return r;
}

std::string timed_out(std::chrono::milliseconds timeout) {
  return "timed out after " + std::to_string(timeout.count()) + " ms";
}

// Ok(nullopt) when TCP must follow: truncated, or no answer in time
// (`why` says which, with what was ignored).
asio::awaitable<Result<std::optional<DsResponse>>> over_udp(asio::ip::udp::endpoint peer,
                                                            const dns::Name& zone, const TsigKey* key,
                                                            std::chrono::milliseconds timeout,
                                                            const base::Clock& clock, std::string& why) {
  auto x = prepare(zone, key, clock);
  if (!x) co_return std::move(x).error();
  asio::ip::udp::socket socket(co_await asio::this_coro::executor);
  error_code ec;
  socket.open(peer.protocol(), ec);
  if (ec) co_return make_error(Errc::io, "socket: " + ec.message());
  SocketWatchdog dog(socket, Steady::now() + timeout);
  co_await socket.async_send_to(asio::buffer(x->query), peer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return make_error(Errc::io, "sending over UDP: " + ec.message());
  std::vector<uint8_t> buf(65535);
  std::string ignored;
  for (;;) {
    asio::ip::udp::endpoint from;
    const size_t n = co_await socket.async_receive_from(asio::buffer(buf), from,
                                                        asio::redirect_error(asio::use_awaitable, ec));
    if (dog.fired()) {
      why = "UDP " + timed_out(timeout) + ignored;
      co_return std::optional<DsResponse>{};
    }
    if (ec) co_return make_error(Errc::io, "receiving over UDP: " + ec.message());
    if (from != peer) continue;
    const std::span<const uint8_t> wire(buf.data(), n);
    auto m = dns::Message::parse(wire);
    if (!m) {
      ignored = " (ignored an unparseable answer: " + m.error().detail + ")";
      continue;
    }
    if (auto h = check_answer_header(*m, x->spec, true); !h) {
      ignored = " (ignored an answer: " + h.error().detail + ")";
      continue;
    }
    if (m->header.tc) {
      why = "truncated over UDP";
      co_return std::optional<DsResponse>{};
    }
    co_return std::optional<DsResponse>{respond(*x, std::move(*m), wire, false, clock)};
  }
}

asio::awaitable<Result<DsResponse>> over_tcp(asio::ip::tcp::endpoint peer, const dns::Name& zone,
                                             const TsigKey* key, std::chrono::milliseconds timeout,
                                             const base::Clock& clock) {
  auto x = prepare(zone, key, clock);
  if (!x) co_return std::move(x).error();
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  const SteadyTime deadline = Steady::now() + timeout;
  if (auto c = co_await connect_tcp(socket, peer, deadline); !c) co_return std::move(c).error();
  if (auto w = co_await write_tcp_message(socket, x->query, deadline); !w) co_return std::move(w).error();
  auto wire = co_await read_tcp_message(socket, deadline);
  if (!wire) co_return std::move(wire).error();
  auto m = dns::Message::parse(*wire);
  if (!m) co_return make_error(Errc::malformed, "unparseable answer: " + m.error().detail);
  if (auto h = check_answer_header(*m, x->spec, true); !h) co_return std::move(h).error();
  co_return respond(*x, std::move(*m), *wire, true, clock);
}

// query_ds without the zone and agent in the error: the round's reason
// names the agent already.
asio::awaitable<DsAnswer> ask(asio::ip::udp::endpoint agent, dns::Name zone, const TsigKey* key,
                              std::chrono::milliseconds timeout, const base::Clock& clock) {
  std::string why;
  auto udp = co_await over_udp(agent, zone, key, timeout, clock, why);
  if (!udp) co_return std::move(udp).error();
  if (*udp) co_return std::move(**udp);
  auto tcp = co_await over_tcp({agent.address(), agent.port()}, zone, key, timeout, clock);
  if (!tcp) {
    auto e = std::move(tcp).error();
    e.detail = why + ", then TCP: " + e.detail;
    co_return e;
  }
  co_return std::move(tcp);
}

// The verdicts of one round as its queries complete. Touched only on the
// round's executor, one coroutine at a time.
struct RoundState {
  explicit RoundState(const asio::any_io_executor& ex) : all_done(ex) {}
  std::vector<DsAddressVerdict> verdicts;
  size_t pending = 0;
  asio::steady_timer all_done;  // cancelled when pending reaches zero
};

asio::awaitable<void> ask_one(std::shared_ptr<RoundState> state, size_t index, DsAgent agent,
                              std::shared_ptr<const DsExpectation> expected, DsCheckOptions options,
                              const base::Clock* clock) {
  auto answer = co_await ask(agent.address, expected->zone(), agent.key, options.timeout, *clock);
  state->verdicts[index].verdict =
      answer ? ds_verdict(*expected, answer->message, answer->tsig, options.accept_unauthenticated)
             : ds_unknown(answer.error().detail);
}

}  // namespace

std::string agent_label(const asio::ip::udp::endpoint& address) {
  return address.address().to_string() + "@" + std::to_string(address.port());
}

asio::awaitable<DsAnswer> query_ds(asio::ip::udp::endpoint agent, dns::Name zone, const TsigKey* key,
                                   std::chrono::milliseconds timeout, const base::Clock& clock) {
  auto answer = co_await ask(agent, zone, key, timeout, clock);
  if (!answer) {
    auto e = std::move(answer).error();
    e.detail = "zone " + zone.to_text() + ": DS query to " + agent_label(agent) + ": " + e.detail;
    co_return e;
  }
  co_return std::move(answer);
}

asio::awaitable<DsRound> check_ds(std::vector<DsAgent> agents, dns::Name zone,
                                  std::vector<dns::Rdata> expected_ds, DsCheckOptions options,
                                  const base::Clock& clock) {
  auto expected = DsExpectation::create(std::move(zone), std::move(expected_ds));
  if (!expected) co_return DsRound{DsRoundOutcome::undecided, {}, std::nullopt, expected.error().detail};
  const auto shared = std::make_shared<const DsExpectation>(std::move(*expected));
  const auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<RoundState>(executor);
  state->pending = agents.size();
  for (const DsAgent& a : agents)
    state->verdicts.push_back({agent_label(a.address), ds_unknown("not asked")});
  for (size_t i = 0; i < agents.size(); ++i) {
    // An exception inside one query (bad_alloc) is that address's UNKNOWN,
    // never a round that waits forever.
    asio::co_spawn(executor, ask_one(state, i, agents[i], shared, options, &clock),
                   [state, i](std::exception_ptr e) {
                     if (e) state->verdicts[i].verdict = ds_unknown("query failed with an exception");
                     if (--state->pending == 0) state->all_done.cancel();
                   });
  }
  while (state->pending > 0) {
    state->all_done.expires_at(asio::steady_timer::time_point::max());
    error_code ec;
    co_await state->all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return aggregate_ds_round(shared->key_tag(), options.want, std::move(state->verdicts));
}

}  // namespace signerd::xfr
