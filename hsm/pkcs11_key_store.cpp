#include "hsm/pkcs11_key_store.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

bool Pkcs11Token::has_mechanism(CK_MECHANISM_TYPE m) const {
  return std::binary_search(mechanisms.begin(), mechanisms.end(), m);
}

base::Result<void> Pkcs11Token::check_mechanisms(Algorithm alg) const {
  auto mechs = mechanisms_for(alg, rsa_signing);
  for (CK_MECHANISM_TYPE m : {mechs.generate, mechs.sign}) {
    if (!has_mechanism(m)) {
      return make_error(Errc::unsupported, "token '" + label + "' cannot do " + std::string(name(alg)) +
                                               ": it lacks " + mechanism_name(m));
    }
  }
  return base::ok();
}

namespace {

base::Result<std::vector<CK_MECHANISM_TYPE>> mechanism_list(const Pkcs11Module& module, CK_SLOT_ID slot) {
  CK_ULONG count = 0;
  CK_RV rv = module.fn()->C_GetMechanismList(slot, nullptr, &count);
  std::vector<CK_MECHANISM_TYPE> mechs(count);
  if (rv == CKR_OK) rv = module.fn()->C_GetMechanismList(slot, mechs.data(), &count);
  if (rv != CKR_OK) return make_error(Errc::io, "PKCS#11 C_GetMechanismList: " + ck_rv_name(rv));
  mechs.resize(count);
  std::sort(mechs.begin(), mechs.end());
  return mechs;
}

}  // namespace

base::Result<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::create(const Pkcs11Options& options) {
  // The PIN file first: a bad mode is refused before anything is loaded.
  auto pin = read_secret_file(options.pin_file, {.max_size = 256, .strip_newline = true});
  if (!pin) return std::move(pin).error();
  auto module = Pkcs11Module::load(options.module_path);
  if (!module) return std::move(module).error();
  auto slot = find_token(**module, options.token_label);
  if (!slot) return std::move(slot).error();
  auto mechs = mechanism_list(**module, *slot);
  if (!mechs) return std::move(mechs).error();

  auto token = std::make_shared<Pkcs11Token>();
  token->module = *module;
  token->slot = *slot;
  token->label = options.token_label;
  token->mechanisms = std::move(*mechs);
  token->rsa_signing = options.rsa_signing;
  auto session = Pkcs11Session::open(*module, *slot);
  if (!session) return std::move(session).error();
  token->admin = std::make_shared<Pkcs11Session>(std::move(*session));
  auto login = Pkcs11Login::login(token->admin, *pin, options.pin_file);
  if (!login) {
    return make_error(login.error().code, "token '" + options.token_label + "': " + login.error().detail);
  }
  token->login.emplace(std::move(*login));
  base::log::info("hsm: logged in to PKCS#11 token '" + options.token_label + "' (" + options.module_path +
                  ")");
  return std::unique_ptr<Pkcs11KeyStore>(new Pkcs11KeyStore(std::move(token)));
}

base::Result<std::vector<KeyInfo>> Pkcs11KeyStore::list() {
  std::lock_guard lock(token_->admin_mutex);
  const Pkcs11Session& s = *token_->admin;
  CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY;
  std::vector<CK_ATTRIBUTE> match = {attr(CKA_CLASS, priv_class)};
  auto found = s.find(match);
  if (!found) return std::move(found).error();
  std::vector<KeyInfo> keys;
  for (CK_OBJECT_HANDLE priv : *found) {
    KeyObjects objects{priv, {}};
    auto id = s.attribute(priv, CKA_ID);
    if (id && !id->empty()) {
      CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY;
      std::vector<CK_ATTRIBUTE> pub_match = {attr(CKA_CLASS, pub_class),
                                             attr_bytes(CKA_ID, id->data(), id->size())};
      if (auto pubs = s.find(pub_match)) objects.public_keys = std::move(*pubs);
    }
    auto key = read_key_info(s, objects, std::nullopt, token_->label);
    if (!key) {
      base::log::debug("hsm: token '" + token_->label + "': skipping a key: " + key.error().detail);
      continue;
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

base::Result<KeyInfo> Pkcs11KeyStore::find(std::string_view ref, std::optional<Algorithm> algorithm) {
  auto selector = parse_key_ref(ref, token_->label);
  if (!selector) return std::move(selector).error();
  std::lock_guard lock(token_->admin_mutex);
  auto objects = find_key_objects(*token_->admin, *selector, ref);
  if (!objects) return std::move(objects).error();
  return read_key_info(*token_->admin, *objects, algorithm, token_->label);
}

base::Result<void> Pkcs11KeyStore::remove(std::string_view ref) {
  auto selector = parse_key_ref(ref, token_->label);
  if (!selector) return std::move(selector).error();
  std::lock_guard lock(token_->admin_mutex);
  auto objects = find_key_objects(*token_->admin, *selector, ref);
  if (!objects) return std::move(objects).error();
  // The private key first: a failure after it leaves only a public key.
  SIGNERD_TRY(token_->admin->destroy(objects->private_key));
  for (CK_OBJECT_HANDLE pub : objects->public_keys) SIGNERD_TRY(token_->admin->destroy(pub));
  base::log::info("hsm: token '" + token_->label + "': removed key " + std::string(ref));
  return base::ok();
}

}  // namespace signerd::hsm
