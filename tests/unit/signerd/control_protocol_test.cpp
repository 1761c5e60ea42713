// Tests of signerd/control_protocol (the control socket's one-line JSON)
// and signerd/control_verbs (the verb table), with fake actions.
#include "signerd/control_protocol.hpp"

#include <gtest/gtest.h>

#include <string>

#include "signerd/control_verbs.hpp"

namespace signerd {
namespace {

ControlRequest parsed(std::string_view line) {
  auto r = parse_request(line);
  EXPECT_TRUE(r) << line << ": " << (r ? "" : r.error().detail);
  return r ? *r : ControlRequest{};
}

std::string refusal(std::string_view line) {
  auto r = parse_request(line);
  EXPECT_FALSE(r) << line;
  return r ? "" : r.error().detail;
}

TEST(ControlRequestParse, FlatObjectOfStrings) {
  const auto r = parsed(R"({"verb":"status","zone":"example.com."})");
  EXPECT_EQ(r.verb, "status");
  ASSERT_EQ(r.args.size(), 1u);
  EXPECT_EQ(r.args.at("zone"), "example.com.");
  EXPECT_EQ(parsed(" { \"zone\" : \"a.\" ,\t\"verb\" : \"keys\" } \r").verb, "keys");
  EXPECT_TRUE(parsed(R"({"verb":"zones"})").args.empty());
}

TEST(ControlRequestParse, RoundTripsThroughRequestLine) {
  const ControlRequest r{"retransfer", {{"zone", "ex\"am\\ple.\n"}, {"x", "\xC3\xA9"}}};
  const std::string line = request_line(r);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  EXPECT_EQ(parsed(std::string_view(line).substr(0, line.size() - 1)), r);
}

TEST(ControlRequestParse, Escapes) {
  const auto r = parsed(R"({"verb":"a\"b\\c\/d\b\f\n\r\t"})");
  EXPECT_EQ(r.verb, "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(parsed(R"({"verb":"\u00e9\u20AC"})").verb, "\xC3\xA9\xE2\x82\xAC");
  // U+1F600 as a surrogate pair.
  EXPECT_EQ(parsed(R"({"verb":"\ud83d\ude00"})").verb, "\xF0\x9F\x98\x80");
  EXPECT_EQ(parsed("{\"verb\":\"\xF0\x9F\x98\x80\"}").verb, "\xF0\x9F\x98\x80");
}

TEST(ControlRequestParse, RefusesBadEscapesAndEncodings) {
  EXPECT_NE(refusal(R"({"verb":"\ud83d"})").find("surrogate"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\ude00x"})").find("lone low surrogate"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\ud83d\u0041"})").find("surrogate"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\u0000"})").find("\\u0000"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\u12"})").find("\\u"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\u12G4"})").find("hex"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"\x"})").find("unknown escape"), std::string::npos);
  EXPECT_NE(refusal("{\"verb\":\"a\tb\"}").find("control character"), std::string::npos);
  EXPECT_NE(refusal("{\"verb\":\"\xC0\xAF\"}").find("UTF-8"), std::string::npos);      // overlong '/'
  EXPECT_NE(refusal("{\"verb\":\"\xED\xA0\x80\"}").find("UTF-8"), std::string::npos);  // raw surrogate
  EXPECT_NE(refusal("{\"verb\":\"\xE2\x82\"}").find("UTF-8"), std::string::npos);      // truncated
}

TEST(ControlRequestParse, RefusesMalformedJson) {
  for (std::string_view line : {"", "   ", "{", "}", "[]", "\"verb\"", R"({"verb":"a")", R"({"verb":"a",})",
                                R"({"verb" "a"})", R"({verb:"a"})", R"({"verb":"a"} x)", R"({"verb":"a"}{})",
                                R"({"verb":"a",,"b":"c"})", R"({"verb":"a)", "{\"verb\":\"a\"}\n"}) {
    auto r = parse_request(line);
    ASSERT_FALSE(r) << line;
    EXPECT_EQ(r.error().code, base::Errc::malformed) << line;
    EXPECT_TRUE(r.error().detail.starts_with("malformed request: ")) << r.error().detail;
  }
  EXPECT_NE(refusal(R"({"verb":"a" x})").find("at byte 12"), std::string::npos);
}

TEST(ControlRequestParse, RefusesNestedAndNonStringValues) {
  EXPECT_NE(refusal(R"({"verb":"a","zone":{"x":"y"}})").find("nested value for 'zone'"), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":["a"]})").find("nested value for 'verb'"), std::string::npos);
  for (std::string_view v : {"1", "-2.5e3", "true", "false", "null"}) {
    const std::string line = std::string(R"({"verb":"a","n":)") + std::string(v) + "}";
    EXPECT_NE(refusal(line).find("value of 'n' is not a string"), std::string::npos) << line;
  }
}

TEST(ControlRequestParse, RefusesDuplicateKeysAndMissingVerb) {
  EXPECT_NE(refusal(R"({"verb":"a","zone":"x.","zone":"y."})").find("duplicate key 'zone'"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"verb":"a","verb":"b"})").find("duplicate key 'verb'"), std::string::npos);
  EXPECT_NE(refusal(R"({"zone":"x."})").find("missing \"verb\""), std::string::npos);
  EXPECT_NE(refusal(R"({"verb":""})").find("missing \"verb\""), std::string::npos);
  EXPECT_NE(refusal(R"({})").find("missing \"verb\""), std::string::npos);
}

TEST(ControlRequestParse, RefusesOversizeLinesAndTooManyMembers) {
  std::string line = R"({"verb":"status","zone":")";
  line += std::string(kMaxRequestBytes - line.size() - 2, 'a') + "\"}";
  ASSERT_EQ(line.size(), kMaxRequestBytes);
  EXPECT_TRUE(parse_request(line));
  line.insert(line.size() - 2, "a");
  auto r = parse_request(line);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::out_of_range);
  EXPECT_EQ(r.error().detail, "request line longer than 65536 bytes");

  std::string many = R"({"verb":"a")";
  for (size_t i = 0; i < kMaxRequestMembers; ++i) many += ",\"k" + std::to_string(i) + "\":\"v\"";
  auto m = parse_request(many + "}");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, base::Errc::out_of_range);
}

TEST(ControlRequest, DescribeAndStateChange) {
  EXPECT_EQ(describe(ControlRequest{"retransfer", {{"zone", "example.com."}}}),
            "retransfer zone example.com.");
  // Odd bytes cannot forge a log line.
  EXPECT_EQ(describe(ControlRequest{"notify", {{"zone", "a.\nforged"}}}), "notify zone \"a.\\nforged\"");
  EXPECT_TRUE(changes_state("reload"));
  EXPECT_TRUE(changes_state("retransfer"));
  EXPECT_TRUE(changes_state("notify"));
  EXPECT_FALSE(changes_state("status"));
  EXPECT_FALSE(changes_state("keys"));
}

TEST(ControlReply, WrittenAndRead) {
  EXPECT_EQ(error_reply("zone x.: not configured"), R"({"ok":false,"error":"zone x.: not configured"})");
  EXPECT_EQ(ok_reply("done\n"), R"({"ok":true,"text":"done\n"})");
  EXPECT_EQ(ok_reply("t", R"("n":1)"), R"({"ok":true,"text":"t","n":1})");

  auto ok =
      parse_reply(ok_reply("two\nlines", R"("zones":[{"a":[1,2.5,-3e2,true,null,{"b":"\u00e9"}]}],"x":{})"));
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->text, "two\nlines");
  auto no = parse_reply(error_reply("bad \"zone\""));
  ASSERT_TRUE(no);
  EXPECT_FALSE(no->ok);
  EXPECT_EQ(no->error, "bad \"zone\"");
  EXPECT_FALSE(parse_reply(R"({"text":"t"})"));
  EXPECT_FALSE(parse_reply(R"({"ok":"true"})"));
  EXPECT_FALSE(parse_reply(R"({"ok":tru})"));
  EXPECT_FALSE(parse_reply(R"({"ok":true,"x":[1,}")"));
  std::string deep = R"({"ok":true,"x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(parse_reply(deep)) << "nesting is bounded";
}

// The verb table with fake actions.
class ControlVerbs : public ::testing::Test {
 protected:
  ControlVerbs() {
    ZoneStatus z;
    z.zone = "example.com.";
    z.signed_serial = 7;
    z.upstream_serial = 5;
    KeyStatus k;
    k.tag = 12345;
    k.algorithm = 13;
    k.role = "csk";
    k.state = "active";
    k.goal = "omnipresent";
    k.records = {"omnipresent", "omnipresent", "omnipresent", "rumoured"};
    z.keys.push_back(k);
    ZoneStatus empty;
    empty.zone = "b.test.";
    zones_ = {z, empty};
    actions_.statuses = [this] { return zones_; };
    actions_.now = [] { return base::TimePoint{} + std::chrono::hours(24 * 365 * 50); };
    actions_.reload = [this]() -> base::Result<std::string> {
      ++reloads_;
      return std::string("config reloaded");
    };
    actions_.retransfer = [this](const dns::Name& zone) -> base::Result<std::string> {
      asked_ = zone.to_text();
      return std::string("AXFR asked");
    };
    actions_.notify = [](const dns::Name& zone) -> base::Result<std::string> {
      return base::make_error(base::Errc::not_found, "zone " + zone.to_text() + ": not configured");
    };
    actions_.key_command = [this](const dns::Name& zone, const KeyCommand& c) -> base::Result<std::string> {
      asked_ = zone.to_text();
      command_ = c;
      return std::string("asked");
    };
  }
  ControlReply ask(ControlRequest r) {
    auto reply = parse_reply(answer_control(r, actions_));
    EXPECT_TRUE(reply) << reply.error().detail;
    return reply ? *reply : ControlReply{};
  }

  std::vector<ZoneStatus> zones_;
  ControlActions actions_;
  int reloads_ = 0;
  std::string asked_;
  std::optional<KeyCommand> command_;
};

TEST_F(ControlVerbs, StatusOfAllOrOneZone) {
  const std::string all = answer_control({"status", {}}, actions_);
  EXPECT_NE(all.find(R"("zones":[{"zone":"example.com.")"), std::string::npos) << all;
  EXPECT_NE(all.find(R"({"zone":"b.test.")"), std::string::npos);
  const std::string one = answer_control({"status", {{"zone", "EXAMPLE.com"}}}, actions_);
  EXPECT_NE(one.find(R"("signed_serial":7)"), std::string::npos) << one;
  EXPECT_EQ(one.find("b.test."), std::string::npos);
  EXPECT_NE(ask({"status", {{"zone", "example.com."}}}).text.find("signed serial 7, upstream serial 5"),
            std::string::npos);
  EXPECT_EQ(ask({"status", {{"zone", "nope."}}}).error, "zone nope.: not configured");
}

TEST_F(ControlVerbs, ZonesAndKeys) {
  const std::string z = answer_control({"zones", {}}, actions_);
  EXPECT_NE(z.find(R"({"zone":"example.com.","signed_serial":7,"upstream_serial":5,"healthy":true)"),
            std::string::npos)
      << z;
  EXPECT_NE(z.find(R"("signed_serial":null)"), std::string::npos);
  const ControlReply text = ask({"zones", {}});
  EXPECT_NE(text.text.find("b.test.      -          -          unhealthy: no signed version yet"),
            std::string::npos)
      << text.text;
  const std::string k = answer_control({"keys", {{"zone", "example.com"}}}, actions_);
  EXPECT_NE(k.find(R"("keys":[{"tag":12345,"algorithm":13,"role":"csk")"), std::string::npos) << k;
  EXPECT_NE(ask({"keys", {{"zone", "example.com"}}}).text.find("12345  ECDSAP256SHA256  csk  active"),
            std::string::npos);
}

TEST_F(ControlVerbs, StateChangingVerbsCallTheirActions) {
  EXPECT_TRUE(ask({"reload", {}}).ok);
  EXPECT_EQ(reloads_, 1);
  const ControlReply r = ask({"retransfer", {{"zone", "example.com"}}});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.text, "AXFR asked");
  EXPECT_EQ(asked_, "example.com.");
  const ControlReply n = ask({"notify", {{"zone", "x.test"}}});
  EXPECT_FALSE(n.ok);
  EXPECT_EQ(n.error, "zone x.test.: not configured");
}

TEST_F(ControlVerbs, KeyVerbsParseTheirArgumentsIntoAKeyCommand) {
  EXPECT_TRUE(ask({"checkds", {{"zone", "example.com"}, {"ds", "withdrawn"}, {"key", "4711"}}}).ok);
  ASSERT_TRUE(command_);
  EXPECT_EQ(asked_, "example.com.");
  EXPECT_EQ(command_->kind, KeyCommand::Kind::ds_withdrawn);
  EXPECT_EQ(command_->tag, 4711);
  EXPECT_TRUE(ask({"checkds", {{"zone", "example.com"}, {"ds", "published"}}}).ok);
  EXPECT_EQ(command_->kind, KeyCommand::Kind::ds_published);
  EXPECT_EQ(command_->tag, std::nullopt);
  EXPECT_TRUE(
      ask({"rollover", {{"zone", "example.com"}, {"role", "KSK"}, {"at", "2027-01-02T03:04:05Z"}}}).ok);
  EXPECT_EQ(command_->kind, KeyCommand::Kind::rollover);
  EXPECT_EQ(command_->role, policy::Role::ksk);
  EXPECT_EQ(command_->at, base::TimePoint{std::chrono::seconds(1'798'859'045)});
  EXPECT_TRUE(ask({"step", {{"zone", "example.com"}}}).ok);
  EXPECT_EQ(command_->kind, KeyCommand::Kind::step);
  command_.reset();
  EXPECT_EQ(ask({"checkds", {{"zone", "a."}, {"ds", "maybe"}}}).error,
            "checkds: argument 'ds' must be published or withdrawn");
  EXPECT_EQ(ask({"checkds", {{"zone", "a."}, {"ds", "published"}, {"key", "65536"}}}).error,
            "checkds: key '65536' is not a key tag (0-65535)");
  EXPECT_EQ(ask({"checkds", {{"zone", "a."}, {"ds", "published"}, {"key", "12x"}}}).error,
            "checkds: key '12x' is not a key tag (0-65535)");
  EXPECT_EQ(ask({"rollover", {{"zone", "a."}}}).error, "rollover: argument 'role' must be ksk, zsk or csk");
  EXPECT_EQ(ask({"rollover", {{"zone", "a."}, {"role", "zsk"}, {"at", "tomorrow"}}}).error,
            "rollover: at 'tomorrow' is not a UTC time like 2026-12-03T18:00:00Z");
  EXPECT_EQ(ask({"step", {{"zone", "a."}, {"role", "zsk"}}}).error, "step: unexpected argument 'role'");
  EXPECT_EQ(ask({"step", {}}).error, "step: missing argument 'zone'");
  EXPECT_FALSE(command_);  // nothing reached the zone
}

TEST_F(ControlVerbs, RefusesUnknownVerbsAndBadArguments) {
  EXPECT_EQ(
      ask({"explode", {}}).error,
      "unknown verb 'explode' (known: status, zones, reload, retransfer, notify, keys, checkds, rollover, "
      "step)");
  EXPECT_EQ(ask({"retransfer", {}}).error, "retransfer: missing argument 'zone'");
  EXPECT_EQ(ask({"keys", {}}).error, "keys: missing argument 'zone'");
  EXPECT_EQ(ask({"reload", {{"zone", "a."}}}).error, "reload: unexpected argument 'zone'");
  EXPECT_EQ(ask({"status", {{"force", "yes"}}}).error, "status: unexpected argument 'force'");
  EXPECT_TRUE(ask({"status", {{"zone", "a..b"}}}).error.starts_with("bad zone name 'a..b'"));
  EXPECT_EQ(reloads_, 0);
  EXPECT_TRUE(asked_.empty());
}

}  // namespace
}  // namespace signerd
