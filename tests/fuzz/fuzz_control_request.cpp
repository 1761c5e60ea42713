// libFuzzer target: arbitrary bytes as a control socket request line and
// as a reply line (signerd/control_protocol.hpp), and every request that
// parses through the verb table (signerd/control_verbs.hpp) with fake
// actions. Checked: a parsed request has a verb, writes back as one line
// that parses to the same request, and describes itself on one line; the
// answer to it is one line that parses as a reply. Any failed check aborts.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signerd/control_protocol.hpp"
#include "signerd/control_verbs.hpp"

namespace {

using signerd::ControlActions;
using signerd::ControlRequest;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_control_request: %s\n", what);
  std::abort();
}

const ControlActions& actions() {
  static const ControlActions a = [] {
    ControlActions out;
    out.statuses = [] {
      signerd::ZoneStatus z;
      z.zone = "example.com.";
      z.signed_serial = 1;
      return std::vector<signerd::ZoneStatus>{z};
    };
    out.now = [] { return signerd::base::TimePoint{}; };
    out.reload = []() -> signerd::base::Result<std::string> { return std::string("reloaded"); };
    out.retransfer = [](const signerd::dns::Name& zone) -> signerd::base::Result<std::string> {
      return zone.to_text();
    };
    out.notify = [](const signerd::dns::Name& zone) -> signerd::base::Result<std::string> {
      return signerd::base::make_error(signerd::base::Errc::not_found, zone.to_text() + "\n\"");
    };
    return out;
  }();
  return a;
}

void check_request(const ControlRequest& r) {
  if (r.verb.empty()) fail("a parsed request without a verb");
  const std::string line = signerd::request_line(r);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1)
    fail("request_line not one line");
  if (line.size() - 1 <= signerd::kMaxRequestBytes) {
    auto again = signerd::parse_request(std::string_view(line).substr(0, line.size() - 1));
    if (!again) {
      std::fprintf(stderr, "%s: %s\n", line.c_str(), again.error().detail.c_str());
      fail("request_line output does not parse");
    }
    if (!(*again == r)) fail("request_line round trip changed the request");
  }
  if (signerd::describe(r).find('\n') != std::string::npos) fail("describe spans lines");
  const std::string reply = signerd::answer_control(r, actions());
  if (reply.find('\n') != std::string::npos) fail("reply spans lines");
  if (!signerd::parse_reply(reply)) fail("a reply of ours does not parse");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto r = signerd::parse_request(bytes)) check_request(*r);
  if (auto reply = signerd::parse_reply(bytes); reply && bytes.find("\"ok\"") == std::string_view::npos)
    fail("a reply without \"ok\" parsed");
  return 0;
}
