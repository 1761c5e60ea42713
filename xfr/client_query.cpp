#include "xfr/client_query.hpp"

#include <random>

#include "dns/message_builder.hpp"

namespace signerd::xfr {

using base::Errc;
using base::make_error;

uint16_t random_query_id() {
  std::random_device rd;
  return static_cast<uint16_t>(rd());
}

Result<std::vector<uint8_t>> build_query(const QuerySpec& spec, TsigClient* tsig, base::TimePoint now) {
  dns::Header h;
  h.id = spec.id;
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  if (tsig != nullptr) b.reserve(tsig->tsig_size());
  b.add_question(spec.question);
  if (spec.authority != nullptr) {
    for (const auto& rd : spec.authority->rdatas()) {
      dns::Record r{spec.authority->owner(), spec.authority->type(), spec.authority->rclass(),
                    spec.authority->ttl(), rd};
      if (b.add_record(dns::Section::authority, r) != dns::AddResult::added) {
        return make_error(Errc::invalid_argument, "query does not fit");
      }
    }
  }
  if (spec.edns) {
    dns::Edns edns;
    edns.dnssec_ok = spec.dnssec_ok;
    b.set_edns(edns);
  }
  std::vector<uint8_t> wire = std::move(b).finish();
  if (tsig != nullptr) SIGNERD_TRY(tsig->sign_request(wire, now));
  return wire;
}

Result<void> check_answer_header(const dns::Message& answer, const QuerySpec& spec, bool require_question) {
  const dns::Header& h = answer.header;
  if (h.id != spec.id) {
    return make_error(Errc::malformed, "answer ID " + std::to_string(h.id) + " does not match query ID " +
                                           std::to_string(spec.id));
  }
  if (!h.qr) return make_error(Errc::malformed, "answer without the QR bit");
  if (h.opcode != 0) return make_error(Errc::malformed, "answer with opcode " + std::to_string(h.opcode));
  if (answer.questions.empty()) {
    if (require_question) return make_error(Errc::malformed, "answer without the question");
    return base::ok();
  }
  const dns::Question& q = answer.questions.front();
  if (q.qname != spec.question.qname || q.qtype != spec.question.qtype || q.qclass != spec.question.qclass) {
    return make_error(Errc::malformed, "answer is for question " + q.qname.to_text() + " " +
                                           dns::to_text(q.qtype) + ", not " + spec.question.qname.to_text() +
                                           " " + dns::to_text(spec.question.qtype));
  }
  return base::ok();
}

}  // namespace signerd::xfr
