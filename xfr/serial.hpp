// xfr/serial.hpp — RFC 1982 serial arithmetic for the transfer code; the
// functions live in dns/serial.hpp so that policy/ can use them too.
#pragma once

#include "dns/serial.hpp"

namespace signerd::xfr {
using dns::serial_add;
using dns::serial_gt;
using dns::serial_lt;
}  // namespace signerd::xfr
