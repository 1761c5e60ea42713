#include "hsm/pkcs11_objects.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "hsm/pkcs11_uri.hpp"
#include "hsm/public_key.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

Pkcs11Mechanisms mechanisms_for(Algorithm alg, RsaSigning rsa) {
  switch (alg) {
    case Algorithm::rsasha256:
      return {CKM_RSA_PKCS_KEY_PAIR_GEN, rsa == RsaSigning::digest_info ? CKM_RSA_PKCS : CKM_SHA256_RSA_PKCS};
    case Algorithm::rsasha512:
      return {CKM_RSA_PKCS_KEY_PAIR_GEN, rsa == RsaSigning::digest_info ? CKM_RSA_PKCS : CKM_SHA512_RSA_PKCS};
    case Algorithm::ecdsap256sha256:
    case Algorithm::ecdsap384sha384: return {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA};
    case Algorithm::ed25519:
    case Algorithm::ed448: return {CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA};
  }
  return {CKM_VENDOR_DEFINED, CKM_VENDOR_DEFINED};
}

std::string mechanism_name(CK_MECHANISM_TYPE mech) {
  switch (mech) {
    case CKM_RSA_PKCS_KEY_PAIR_GEN: return "CKM_RSA_PKCS_KEY_PAIR_GEN";
    case CKM_RSA_PKCS: return "CKM_RSA_PKCS";
    case CKM_SHA256_RSA_PKCS: return "CKM_SHA256_RSA_PKCS";
    case CKM_SHA512_RSA_PKCS: return "CKM_SHA512_RSA_PKCS";
    case CKM_EC_KEY_PAIR_GEN: return "CKM_EC_KEY_PAIR_GEN";
    case CKM_ECDSA: return "CKM_ECDSA";
    case CKM_EC_EDWARDS_KEY_PAIR_GEN: return "CKM_EC_EDWARDS_KEY_PAIR_GEN";
    case CKM_EDDSA: return "CKM_EDDSA";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "mechanism 0x%lx", static_cast<unsigned long>(mech));
      return buf;
    }
  }
}

Bytes ec_params_for(Algorithm alg) {
  // DER OBJECT IDENTIFIERs: prime256v1 1.2.840.10045.3.1.7, secp384r1
  // 1.3.132.0.34 (RFC 5480 section 2.1.1.1), id-Ed25519 1.3.101.112 and
  // id-Ed448 1.3.101.113 (RFC 8410 section 3).
  switch (alg) {
    case Algorithm::ecdsap256sha256: return {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    case Algorithm::ecdsap384sha384: return {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
    case Algorithm::ed25519: return {0x06, 0x03, 0x2b, 0x65, 0x70};
    case Algorithm::ed448: return {0x06, 0x03, 0x2b, 0x65, 0x71};
    default: return {};
  }
}

namespace {

// PKCS#11 3.0 also allows the curve name as a PrintableString for EdDSA.
bool is_printable(const Bytes& params, std::string_view curve) {
  return params.size() == curve.size() + 2 && params[0] == 0x13 && params[1] == curve.size() &&
         std::equal(curve.begin(), curve.end(), params.begin() + 2);
}

base::Result<Algorithm> curve_algorithm(const Bytes& params, KeyFamily family) {
  for (const auto& row : all_algorithms()) {
    if (row.family != family) continue;
    if (params == ec_params_for(row.algorithm)) return row.algorithm;
  }
  if (family == KeyFamily::eddsa && is_printable(params, "edwards25519")) return Algorithm::ed25519;
  if (family == KeyFamily::eddsa && is_printable(params, "edwards448")) return Algorithm::ed448;
  return make_error(Errc::unsupported,
                    "key on a curve signerd does not sign with (CKA_EC_PARAMS " + to_hex(params) + ")");
}

// CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 v2.40
// section 2.3.3; SoftHSM also wraps EdDSA keys so), but some tokens return
// the bare value; accept both. `size` is the bare size.
base::Result<Bytes> unwrap_point(const Bytes& value, size_t size) {
  if (value.size() == size) return value;
  size_t header = size < 128 ? 2 : 3;
  bool der = value.size() == size + header && value[0] == 0x04 &&
             (header == 2 ? value[1] == size : value[1] == 0x81 && value[2] == size);
  if (!der)
    return make_error(Errc::malformed, "CKA_EC_POINT of unexpected size " + std::to_string(value.size()));
  return Bytes(value.begin() + static_cast<ptrdiff_t>(header), value.end());
}

base::Result<Algorithm> rsa_algorithm(const Pkcs11Session& s, CK_OBJECT_HANDLE priv,
                                      std::optional<Algorithm> hint) {
  if (hint) return *hint;
  auto allowed = s.attribute(priv, CKA_ALLOWED_MECHANISMS);
  if (allowed) {
    std::vector<CK_MECHANISM_TYPE> mechs(allowed->size() / sizeof(CK_MECHANISM_TYPE));
    std::memcpy(mechs.data(), allowed->data(), mechs.size() * sizeof(CK_MECHANISM_TYPE));
    if (std::find(mechs.begin(), mechs.end(), CKM_SHA512_RSA_PKCS) != mechs.end())
      return Algorithm::rsasha512;
    if (std::find(mechs.begin(), mechs.end(), CKM_SHA256_RSA_PKCS) != mechs.end())
      return Algorithm::rsasha256;
  }
  return make_error(Errc::invalid_argument,
                    "RSA key does not say whether it is RSASHA256 or RSASHA512; pass the algorithm");
}

base::Result<Bytes> rsa_field(const Pkcs11Session& s, CK_OBJECT_HANDLE key) {
  auto modulus = s.attribute(key, CKA_MODULUS);
  if (!modulus) return std::move(modulus).error();
  auto exponent = s.attribute(key, CKA_PUBLIC_EXPONENT);
  if (!exponent) return std::move(exponent).error();
  return rsa_public_key_field(*exponent, *modulus);
}

base::Result<std::pair<Algorithm, Bytes>> ec_key(const Pkcs11Session& s, const KeyObjects& objects,
                                                 KeyFamily family) {
  if (objects.public_keys.empty()) {
    return make_error(Errc::not_found, "the token holds no public key object for this elliptic-curve key");
  }
  CK_OBJECT_HANDLE pub = objects.public_keys.front();
  auto params = s.attribute(pub, CKA_EC_PARAMS);
  if (!params) return std::move(params).error();
  auto alg = curve_algorithm(*params, family);
  if (!alg) return std::move(alg).error();
  auto point = s.attribute(pub, CKA_EC_POINT);
  if (!point) return std::move(point).error();
  size_t size = family == KeyFamily::ecdsa ? 2 * info(*alg).field_size + 1 : info(*alg).field_size;
  auto bare = unwrap_point(*point, size);
  if (!bare) return std::move(bare).error();
  if (family == KeyFamily::ecdsa) {
    // RFC 6605 section 4: X || Y without the SEC 1 uncompressed-point prefix.
    if ((*bare)[0] != 0x04) return make_error(Errc::unsupported, "compressed EC point");
    bare->erase(bare->begin());
  }
  return std::make_pair(*alg, std::move(*bare));
}

}  // namespace

base::Result<KeySelector> parse_key_ref(std::string_view ref, std::string_view token_label) {
  KeySelector selector;
  if (ref.starts_with("pkcs11:")) {
    auto uri = Pkcs11Uri::parse(ref);
    if (!uri) return std::move(uri).error();
    if (uri->token && *uri->token != token_label) {
      return make_error(Errc::not_found, "'" + std::string(ref) + "' names token '" + *uri->token +
                                             "', this store uses token '" + std::string(token_label) + "'");
    }
    if (uri->type && *uri->type != "private") {
      return make_error(Errc::invalid_argument, "'" + std::string(ref) + "': type must be private");
    }
    selector.id = std::move(uri->id);
    selector.label = std::move(uri->object);
  } else {
    auto id = from_hex(ref);
    if (!id)
      return make_error(Errc::malformed,
                        "key reference '" + std::string(ref) + "' is neither a pkcs11: URI nor a hex CKA_ID");
    selector.id = std::move(*id);
  }
  if (!selector.id && !selector.label) {
    return make_error(Errc::invalid_argument, "'" + std::string(ref) + "' names no id and no object");
  }
  return selector;
}

base::Result<KeyObjects> find_key_objects(const Pkcs11Session& s, const KeySelector& sel,
                                          std::string_view ref) {
  CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY;
  std::vector<CK_ATTRIBUTE> match = {attr(CKA_CLASS, priv_class)};
  if (sel.id) match.push_back(attr_bytes(CKA_ID, sel.id->data(), sel.id->size()));
  if (sel.label) match.push_back(attr_bytes(CKA_LABEL, sel.label->data(), sel.label->size()));
  auto found = s.find(match);
  if (!found) return std::move(found).error();
  if (found->empty()) return make_error(Errc::not_found, "no private key matches '" + std::string(ref) + "'");
  if (found->size() > 1) {
    return make_error(Errc::conflict,
                      std::to_string(found->size()) + " private keys match '" + std::string(ref) + "'");
  }
  KeyObjects objects;
  objects.private_key = found->front();
  Bytes id;
  if (sel.id) {
    id = *sel.id;
  } else if (auto read = s.attribute(objects.private_key, CKA_ID)) {
    id = std::move(*read);
  }
  if (id.empty()) return objects;  // nothing ties a public key to it
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;
  std::vector<CK_ATTRIBUTE> pub_match = {attr(CKA_CLASS, pub_class),
                                         attr_bytes(CKA_ID, id.data(), id.size())};
  auto pubs = s.find(pub_match);
  if (!pubs) return std::move(pubs).error();
  objects.public_keys = std::move(*pubs);
  return objects;
}

base::Result<KeyInfo> read_key_info(const Pkcs11Session& s, const KeyObjects& objects,
                                    std::optional<Algorithm> hint, std::string_view token_label) {
  KeyInfo out;
  auto id = s.attribute(objects.private_key, CKA_ID);
  if (id) out.id = std::move(*id);
  auto label = s.attribute(objects.private_key, CKA_LABEL);
  if (label) out.label.assign(label->begin(), label->end());
  auto type = s.ulong_attribute(objects.private_key, CKA_KEY_TYPE);
  if (!type) return std::move(type).error();
  if (*type == CKK_RSA) {
    auto alg = rsa_algorithm(s, objects.private_key, hint);
    if (!alg) return std::move(alg).error();
    if (info(*alg).family != KeyFamily::rsa)
      return make_error(Errc::conflict, "the key is RSA, not " + std::string(name(*alg)));
    // The private key carries the public values too (PKCS#11 v2.40 section 2.1.4).
    auto field =
        rsa_field(s, objects.public_keys.empty() ? objects.private_key : objects.public_keys.front());
    if (!field) return std::move(field).error();
    out.algorithm = *alg;
    out.public_key = std::move(*field);
  } else if (*type == CKK_EC || *type == CKK_EC_EDWARDS) {
    auto key = ec_key(s, objects, *type == CKK_EC ? KeyFamily::ecdsa : KeyFamily::eddsa);
    if (!key) return std::move(key).error();
    out.algorithm = key->first;
    out.public_key = std::move(key->second);
  } else {
    return make_error(Errc::unsupported,
                      "key type " + std::to_string(*type) + " is not a DNSSEC signing key");
  }
  if (hint && *hint != out.algorithm) {
    return make_error(Errc::conflict,
                      "key is " + std::string(name(out.algorithm)) + ", not " + std::string(name(*hint)));
  }
  Pkcs11Uri uri;
  uri.token = std::string(token_label);
  uri.id = out.id;
  if (!out.label.empty()) uri.object = out.label;
  uri.type = "private";
  out.uri = uri.to_string();
  return out;
}

}  // namespace signerd::hsm
