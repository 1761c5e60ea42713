// The NOTIFY event: every new signed serial is announced to every
// secondary (RFC 1996), and asked again until each answers.
#include <algorithm>
#include <chrono>

#include "base/log.hpp"
#include "signerd/asio_address.hpp"
#include "signerd/zone_runtime.hpp"
#include "xfr/notify_sender.hpp"

namespace signerd {
namespace {

using std::chrono::seconds;

// Back-off between rounds of NOTIFY to a secondary that does not answer
// (each round is xfr::NotifyRetry's attempts, about 31 s).
constexpr seconds kNotifyFirstPause{30};
constexpr seconds kNotifyMaxPause{std::chrono::minutes(10)};

}  // namespace

std::optional<uint32_t> ZoneRuntime::notify_secondaries() {
  const auto served = status().signed_serial;
  if (!served) return std::nullopt;
  // signed_ is the strand's: the serial announced is the one served when
  // the handler runs (a newer one may have been committed meanwhile).
  asio::post(strand_, [self = shared_from_this()] {
    if (self->signed_) self->announce(self->signed_->serial());
  });
  return served;
}

void ZoneRuntime::announce(uint32_t serial) {
  announced_serial_ = serial;
  for (const auto& peer : config_.notify) {
    auto key = tsig_key(peer.key);
    if (!key) {
      record_error("NOTIFY to " + peer.address.to_string() + ": " + key.error().detail);
      continue;
    }
    asio::ip::udp::endpoint endpoint(to_asio(peer.address.ip), peer.address.port);
    asio::co_spawn(ctx_.io, notify_until_answered(endpoint, *key, serial, peer.address.to_string()),
                   asio::detached);
  }
}

asio::awaitable<void> ZoneRuntime::notify_until_answered(asio::ip::udp::endpoint endpoint,
                                                         const xfr::TsigKey* key, uint32_t serial,
                                                         std::string name) {
  // Keeps the runtime alive while the coroutine runs on the network thread.
  auto self = shared_from_this();
  // RFC 1996 section 3.6 retries a few times; a secondary that stays
  // silent (down, restarting) is asked again, with back-off, until it
  // answers or a newer serial supersedes this one, so that it never waits
  // for its SOA retry timer (an hour in many zones). A restart announces
  // the served serial again (resume), so nothing owed is lost with the
  // process.
  std::chrono::seconds pause = kNotifyFirstPause;
  asio::steady_timer timer(ctx_.io);
  for (;;) {
    auto result =
        co_await xfr::send_notify(endpoint, config_.name, serial, key, xfr::NotifyRetry{}, ctx_.clock);
    NotifyStatus n{name, serial, result.answered, result.answered ? "answered" : result.error,
                   ctx_.clock.now()};
    status_.with_lock([&](ZoneStatus& s) {
      std::erase_if(s.last_notify, [&](const NotifyStatus& old) { return old.peer == name; });
      s.last_notify.push_back(std::move(n));
      ++s.notifies_out[{name, result.answered}];
    });
    if (result.answered) co_return;
    const bool superseded = announced_serial_.load() != serial;
    if (superseded || stop_requested_ || ctx_.stopping) co_return;
    base::log::warn(who() + ": NOTIFY for serial " + std::to_string(serial) + " to " + name +
                    " not answered (" + result.error + "); asking again in " + std::to_string(pause.count()) +
                    " s");
    timer.expires_after(pause);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (announced_serial_.load() != serial || stop_requested_ || ctx_.stopping) co_return;
    pause = std::min(pause * 2, kNotifyMaxPause);
  }
}

}  // namespace signerd
