// xfr/notify_sender.hpp — NOTIFY out to one secondary (RFC 1996).
//
// Owns: the NOTIFY request (SOA question, the new serial in an SOA in the
// answer section: RFC 1996 section 3.7), matching its response (ID,
// question, QR, opcode NOTIFY: section 3.8), retransmission with
// back-off (section 3.6), and TSIG on both (RFC 8945). Does not own: which
// secondaries to notify, or what to do when one never answers.
//
// Thread-safety: a coroutine on the caller's executor; `clock` and `key`
// must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/clock.hpp"
#include "dns/name.hpp"
#include "xfr/asio.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

struct NotifyRetry {
  unsigned attempts = 5;
  std::chrono::milliseconds first_timeout{1000};  // doubled after each attempt
};

struct NotifyResult {
  bool answered = false;  // a matching (and, with a key, verified) response came
  uint8_t rcode = 0;      // its RCODE when answered
  unsigned attempts = 0;  // requests sent
  std::string error;      // why not answered, or what was wrong with stray answers
};

// Sends NOTIFY for `zone` at `serial` until answered or `retry.attempts`
// are spent. Responses that do not match, do not parse or fail TSIG are
// ignored (and named in `error`); they do not end the wait. Never throws
// for network errors: they are in `error`. `zone` is taken by value
// because the coroutine outlives the caller's temporaries; `key` and
// `clock` must outlive it.
asio::awaitable<NotifyResult> send_notify(asio::ip::udp::endpoint secondary, dns::Name zone, uint32_t serial,
                                          const TsigKey* key, NotifyRetry retry, const base::Clock& clock);

}  // namespace signerd::xfr
