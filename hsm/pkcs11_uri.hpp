// hsm/pkcs11_uri.hpp — RFC 7512 PKCS#11 URIs, the part that names keys.
//
// Owns: parsing and printing `pkcs11:token=…;id=…;object=…;type=…`. Other
// token attributes (manufacturer, serial, model, slot-*, library-*) and the
// query part are accepted and ignored: the store is already bound to one
// token, and a PIN never comes from a URI here (it comes from a file).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "hsm/key_store.hpp"

namespace signerd::hsm {

struct Pkcs11Uri {
  std::optional<std::string> token;   // CK_TOKEN_INFO label
  std::optional<Bytes> id;            // CKA_ID
  std::optional<std::string> object;  // CKA_LABEL
  std::optional<std::string> type;    // "private", "public", …

  // Errors: malformed (not pkcs11:, bad percent-encoding, duplicate
  // attribute), unsupported (an attribute RFC 7512 section 2.3 does not define).
  static base::Result<Pkcs11Uri> parse(std::string_view text);
  // Attributes in the order token, id, object, type; id fully
  // percent-encoded (RFC 7512 section 2.3 recommends it for binary ids).
  std::string to_string() const;
};

}  // namespace signerd::hsm
