#include "xfr/notify_sender.hpp"

#include <memory>
#include <optional>
#include <vector>

#include "dns/message_builder.hpp"
#include "xfr/client_query.hpp"

namespace signerd::xfr {
namespace {

using boost::system::error_code;

constexpr uint8_t kOpNotify = 4;

// SOA RDATA carrying only the serial: RFC 1996 section 3.7 reads nothing else.
dns::Rdata serial_only_soa(uint32_t serial) {
  dns::Rdata rd{0, 0};  // MNAME and RNAME: the root
  for (uint32_t v : {serial, 0u, 0u, 0u, 0u}) {
    for (int shift = 24; shift >= 0; shift -= 8) rd.push_back(static_cast<uint8_t>(v >> shift));
  }
  return rd;
}

Result<std::vector<uint8_t>> build_notify(uint16_t id, const dns::Name& zone, uint32_t serial,
                                          TsigClient* tsig, base::TimePoint now) {
  dns::Header h;
  h.id = id;
  h.opcode = kOpNotify;
  h.aa = true;  // RFC 1996 section 3.7
  dns::MessageBuilder b(h, dns::kMaxUdpMessage);
  if (tsig != nullptr) (void)b.reserve(tsig->tsig_size());
  (void)b.add_question({zone, dns::RRType::SOA, dns::RRClass::IN});
  if (b.add_record(dns::Section::answer, {zone, dns::RRType::SOA, dns::RRClass::IN, 0,
                                          serial_only_soa(serial)}) != dns::AddResult::added) {
    return base::make_error(base::Errc::invalid_argument, "NOTIFY for " + zone.to_text() + " does not fit");
  }
  auto wire = std::move(b).finish();
  if (tsig != nullptr) SIGNERD_TRY(tsig->sign_request(wire, now));
  return wire;
}

// Why `m` is not the answer to our NOTIFY, or nullopt when it is.
std::optional<std::string> mismatch(const dns::Message& m, uint16_t id, const dns::Name& zone) {
  if (m.header.id != id) return "response with another ID";
  if (!m.header.qr || m.header.opcode != kOpNotify) return "response is not a NOTIFY response";
  if (m.questions.size() != 1 || m.questions[0].qname != zone || m.questions[0].qtype != dns::RRType::SOA) {
    return "response for another question";
  }
  return std::nullopt;
}

// Cancels the socket's receive when the attempt's time is up; the handler
// checks a shared flag because it may run after the receive completed.
struct AttemptTimer {
  AttemptTimer(asio::ip::udp::socket& socket, std::chrono::milliseconds timeout)
      : timer(socket.get_executor()), live(std::make_shared<bool>(true)) {
    timer.expires_after(timeout);
    timer.async_wait([l = live, s = &socket](const error_code& ec) {
      if (ec || !*l) return;
      *l = false;
      error_code ignored;
      s->cancel(ignored);
    });
  }
  ~AttemptTimer() {
    *live = false;
    timer.cancel();
  }
  bool expired() const { return !*live; }
  asio::steady_timer timer;
  std::shared_ptr<bool> live;
};

}  // namespace

asio::awaitable<NotifyResult> send_notify(asio::ip::udp::endpoint secondary, dns::Name zone, uint32_t serial,
                                          const TsigKey* key, NotifyRetry retry, const base::Clock& clock) {
  NotifyResult result;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::udp::socket socket(executor);
  error_code ec;
  socket.open(secondary.protocol(), ec);
  if (ec) {
    result.error = "socket: " + ec.message();
    co_return result;
  }
  const uint16_t id = random_query_id();
  // One TSIG client per request sent: a late answer to an earlier attempt
  // covers that attempt's MAC.
  std::vector<std::unique_ptr<TsigClient>> clients;
  std::vector<uint8_t> buf(65535);
  auto timeout = retry.first_timeout;
  for (unsigned attempt = 0; attempt < retry.attempts; ++attempt, timeout *= 2) {
    TsigClient* tsig = nullptr;
    if (key != nullptr) tsig = clients.emplace_back(std::make_unique<TsigClient>(*key)).get();
    auto request = build_notify(id, zone, serial, tsig, clock.now());
    if (!request) {
      result.error = request.error().to_string();
      co_return result;
    }
    co_await socket.async_send_to(asio::buffer(*request), secondary,
                                  asio::redirect_error(asio::use_awaitable, ec));
    ++result.attempts;
    if (ec) result.error = "send: " + ec.message();
    AttemptTimer timer(socket, timeout);
    while (!timer.expired()) {
      asio::ip::udp::endpoint from;
      const size_t n = co_await socket.async_receive_from(asio::buffer(buf), from,
                                                          asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec != asio::error::operation_aborted) result.error = "receive: " + ec.message();
        if (ec == asio::error::operation_aborted || timer.expired()) break;
        continue;
      }
      if (from != secondary) continue;
      const std::span<const uint8_t> wire(buf.data(), n);
      auto m = dns::Message::parse(wire);
      if (!m) {
        result.error = "unparseable response: " + m.error().detail;
        continue;
      }
      if (auto why = mismatch(*m, id, zone)) {
        result.error = *why;
        continue;
      }
      bool verified = key == nullptr;
      for (auto it = clients.rbegin(); !verified && it != clients.rend(); ++it) {
        auto v = (*it)->verify_response(*m, wire, clock.now());
        if (v) {
          verified = true;
        } else {
          result.error = v.error().detail;
        }
      }
      if (!verified) continue;
      result.answered = true;
      result.rcode = static_cast<uint8_t>(m->rcode() & 0xFF);
      result.error.clear();
      co_return result;
    }
  }
  if (result.error.empty()) result.error = "no answer after " + std::to_string(result.attempts) + " attempts";
  co_return result;
}

}  // namespace signerd::xfr
