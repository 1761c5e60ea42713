#include "xfr/transfer_in.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "xfr/client_query.hpp"
#include "xfr/tcp_message.hpp"

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;
using Steady = std::chrono::steady_clock;

bool is_refusal(uint16_t rcode) noexcept { return rcode == 1 || rcode == 4 || rcode == 5; }

// One connection, one query, one answer stream.
class Transfer {
 public:
  Transfer(const asio::ip::tcp::endpoint& primary, const dns::Name& zone,
           const std::optional<dns::RRset>& soa, const TsigKey* key, const TransferLimits& limits,
           const base::Clock& clock, SteadyTime total_deadline)
      : primary_(primary),
        zone_(zone),
        soa_(soa),
        key_(key),
        limits_(limits),
        clock_(clock),
        total_deadline_(total_deadline) {}

  // Sets refused() when the primary answered IXFR with a refusal RCODE.
  asio::awaitable<Result<TransferResult>> run(asio::ip::tcp::socket& socket);
  bool refused() const noexcept { return refused_; }

 private:
  SteadyTime next_deadline() const { return std::min(Steady::now() + limits_.idle_timeout, total_deadline_); }
  base::Error explain_timeout(base::Error e, SteadyTime deadline) const;
  Result<void> check_message(const dns::Message& m, std::span<const uint8_t> wire, bool first);

  asio::ip::tcp::endpoint primary_;
  const dns::Name& zone_;
  const std::optional<dns::RRset>& soa_;
  const TsigKey* key_;
  const TransferLimits& limits_;
  const base::Clock& clock_;
  SteadyTime total_deadline_;
  QuerySpec spec_;
  std::optional<TsigClient> tsig_;
  bool refused_ = false;
};

base::Error Transfer::explain_timeout(base::Error e, SteadyTime deadline) const {
  if (e.detail.rfind("timed out", 0) != 0) return e;
  bool total = deadline >= total_deadline_;
  e.detail = (total ? "total timeout (" + std::to_string(limits_.total_timeout.count()) + " s) "
                    : "idle timeout (" + std::to_string(limits_.idle_timeout.count()) + " s) ") +
             e.detail;
  return e;
}

Result<void> Transfer::check_message(const dns::Message& m, std::span<const uint8_t> wire, bool first) {
  if (first || m.header.id == spec_.id) {
    SIGNERD_TRY(check_answer_header(m, spec_, first));
  } else {
    return make_error(Errc::malformed, "message ID changed mid-stream from " + std::to_string(spec_.id) +
                                           " to " + std::to_string(m.header.id));
  }
  // An error answer to a signed request carries the server's TSIG error
  // (RFC 8945 section 5.3.2): say both.
  Result<void> signed_ok;
  if (tsig_) signed_ok = tsig_->verify_response(m, wire, clock_.now());
  if (m.rcode() != 0) {
    refused_ = first && soa_.has_value() && is_refusal(m.rcode());
    std::string detail = "RCODE " + rcode_name(m.rcode());
    if (!signed_ok) detail += "; TSIG: " + signed_ok.error().detail;
    return make_error(Errc::malformed, std::move(detail));
  }
  if (!signed_ok) return make_error(signed_ok.error().code, "TSIG: " + signed_ok.error().detail);
  return base::ok();
}

asio::awaitable<Result<TransferResult>> Transfer::run(asio::ip::tcp::socket& socket) {
  const bool ixfr = soa_.has_value();
  std::optional<uint32_t> from;
  if (ixfr) {
    if (soa_->type() != dns::RRType::SOA || soa_->empty() || !soa_serial(soa_->rdatas().front())) {
      co_return make_error(Errc::invalid_argument, "current_soa is not an SOA RRset");
    }
    from = soa_serial(soa_->rdatas().front());
  }
  spec_.question = dns::Question{zone_, ixfr ? dns::RRType::IXFR : dns::RRType::AXFR, dns::RRClass::IN};
  spec_.id = random_query_id();
  spec_.authority = ixfr ? &*soa_ : nullptr;
  if (key_ != nullptr) tsig_.emplace(*key_);
  auto query = build_query(spec_, tsig_ ? &*tsig_ : nullptr, clock_.now());
  if (!query) co_return std::move(query).error();

  SteadyTime deadline = next_deadline();
  if (auto c = co_await connect_tcp(socket, primary_, deadline); !c) {
    co_return explain_timeout(std::move(c).error(), deadline);
  }
  deadline = next_deadline();
  if (auto w = co_await write_tcp_message(socket, *query, deadline); !w) {
    co_return explain_timeout(std::move(w).error(), deadline);
  }

  IxfrParser parser(zone_, dns::RRClass::IN, from, limits_.max_records);
  size_t messages = 0;
  size_t bytes = 0;
  while (!parser.done()) {
    deadline = next_deadline();
    auto wire = co_await read_tcp_message(socket, deadline, limits_.max_message);
    if (!wire) {
      base::Error e = explain_timeout(std::move(wire).error(), deadline);
      e.detail += " (after " + std::to_string(messages) + " messages)";
      co_return e;
    }
    bytes += wire->size() + 2;
    if (bytes > limits_.max_bytes) {
      co_return make_error(Errc::out_of_range, "more than " + std::to_string(limits_.max_bytes) + " octets");
    }
    auto m = dns::Message::parse(*wire);
    if (!m)
      co_return make_error(m.error().code,
                           "message " + std::to_string(messages + 1) + ": " + m.error().detail);
    if (auto ok = check_message(*m, *wire, messages == 0); !ok) co_return std::move(ok).error();
    ++messages;
    for (const dns::Record& r : m->answer) {
      if (auto fed = parser.feed(r); !fed) co_return std::move(fed).error();
    }
    parser.end_of_message();
  }
  if (tsig_ && !tsig_->last_was_signed())
    co_return make_error(Errc::malformed, "TSIG: last message unsigned");
  auto result = std::move(parser).finish();
  if (!result) co_return std::move(result).error();
  result->messages = messages;
  result->bytes = bytes;
  co_return result;
}

base::Error in_context(base::Error e, const dns::Name& zone, const char* what,
                       const asio::ip::tcp::endpoint& primary) {
  e.detail = "zone " + zone.to_text() + ": " + what + " from " + primary.address().to_string() + "#" +
             std::to_string(primary.port()) + ": " + e.detail;
  return e;
}

}  // namespace

std::string rcode_name(uint16_t rcode) {
  static constexpr std::array<const char*, 11> kNames{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                      "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                      "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < kNames.size()) return kNames[rcode];
  return std::to_string(rcode);
}

asio::awaitable<Result<TransferResult>> transfer_in(asio::ip::tcp::endpoint primary, dns::Name zone,
                                                    std::optional<dns::RRset> current_soa, const TsigKey* key,
                                                    TransferLimits limits, const base::Clock& clock) {
  auto executor = co_await asio::this_coro::executor;
  const SteadyTime total_deadline = Steady::now() + limits.total_timeout;
  if (current_soa) {
    asio::ip::tcp::socket socket(executor);
    Transfer ixfr(primary, zone, current_soa, key, limits, clock, total_deadline);
    auto r = co_await ixfr.run(socket);
    if (r) co_return r;
    if (!ixfr.refused()) co_return in_context(std::move(r).error(), zone, "IXFR", primary);
  }
  const std::optional<dns::RRset> none;
  asio::ip::tcp::socket socket(executor);
  Transfer axfr(primary, zone, none, key, limits, clock, total_deadline);
  auto r = co_await axfr.run(socket);
  if (!r) co_return in_context(std::move(r).error(), zone, "AXFR", primary);
  co_return r;
}

}  // namespace signerd::xfr
