// signerd/control_verbs.hpp — what each control verb answers.
//
// Owns: the verb table (status, zones, reload, retransfer, notify, keys,
// checkds, rollover, step):
// which arguments each takes, the checks (unknown verb, missing or
// unexpected argument, a zone that is not configured), and the reply, data
// and human text, built from ZoneStatus snapshots. Does not own: the
// socket (control_server.hpp), the zones or the reload itself: the daemon
// hands them in as ControlActions, so that the table is a unit test.
//
// Thread-safety: answer_control calls the actions on the caller's thread
// (the daemon's io thread) and keeps no state.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "signerd/control_protocol.hpp"
#include "signerd/key_command.hpp"
#include "signerd/zone_status.hpp"

namespace signerd {

struct ControlActions {
  std::function<std::vector<ZoneStatus>()> statuses;  // every zone, now
  std::function<base::TimePoint()> now;
  // Each returns the human text of what was done, or the reason it was not
  // (a zone that is not configured: "zone x.: not configured").
  std::function<base::Result<std::string>()> reload;
  std::function<base::Result<std::string>(const dns::Name& zone)> retransfer;
  std::function<base::Result<std::string>(const dns::Name& zone)> notify;
  // checkds, rollover, step: handed to the zone's next key event.
  std::function<base::Result<std::string>(const dns::Name& zone, const KeyCommand& command)> key_command;
};

// The reply line (without '\n') for `request`. Never throws for any
// request; an action's error becomes {"ok":false,"error":…}.
std::string answer_control(const ControlRequest& request, const ControlActions& actions);

}  // namespace signerd
