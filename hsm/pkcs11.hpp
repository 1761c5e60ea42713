// hsm/pkcs11.hpp — RAII over Cryptoki (PKCS#11 v2.40).
//
// Owns: Pkcs11Module (dlopen, C_GetFunctionList, C_Initialize/C_Finalize;
// one per module path per process, shared), Pkcs11Session
// (C_OpenSession/C_CloseSession), Pkcs11Login (C_Login/C_Logout), token
// lookup by label, and small typed helpers for objects and attributes.
// Does not own: DNSSEC meaning of keys (pkcs11_key_store.hpp).
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "hsm/key_store.hpp"
#include "hsm/secret_string.hpp"

namespace signerd::hsm {

// "CKR_PIN_INCORRECT" (or the number in hex for values we do not name).
std::string ck_rv_name(CK_RV rv);

// A loaded and initialised Cryptoki module. Thread-safe: initialised with
// CKF_OS_LOCKING_OK, so sessions may be used from different threads (each
// session by one thread at a time).
class Pkcs11Module {
 public:
  // Loads the module, or shares the instance already loaded from this path:
  // Cryptoki allows one C_Initialize per process, so two stores on one module
  // must share it. C_Finalize runs when the last holder lets go.
  // Errors: io (dlopen, no C_GetFunctionList), internal (C_Initialize).
  static base::Result<std::shared_ptr<Pkcs11Module>> load(const std::string& path);

  CK_FUNCTION_LIST* fn() const noexcept { return fn_; }
  const std::string& path() const noexcept { return path_; }

  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;
  ~Pkcs11Module();

 private:
  Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* fn, bool finalize)
      : path_(std::move(path)), handle_(handle), fn_(fn), finalize_(finalize) {}

  std::string path_;
  void* handle_;
  CK_FUNCTION_LIST* fn_;
  bool finalize_;  // false when someone else in the process initialised it
};

// The slot holding the one initialised token with this label.
// Errors: not_found (listing the labels present), conflict (two tokens
// carry the label), io (C_GetSlotList failed).
base::Result<CK_SLOT_ID> find_token(const Pkcs11Module& module, std::string_view label);

// An open read/write session; move-only, closed on destruction.
class Pkcs11Session {
 public:
  // Errors: io (C_OpenSession failed).
  static base::Result<Pkcs11Session> open(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot);

  Pkcs11Session(Pkcs11Session&& other) noexcept;
  Pkcs11Session& operator=(Pkcs11Session&& other) noexcept;
  Pkcs11Session(const Pkcs11Session&) = delete;
  Pkcs11Session& operator=(const Pkcs11Session&) = delete;
  ~Pkcs11Session() { close(); }

  CK_SESSION_HANDLE handle() const noexcept { return handle_; }
  CK_FUNCTION_LIST* fn() const noexcept { return module_->fn(); }
  CK_SLOT_ID slot() const noexcept { return slot_; }
  const std::shared_ptr<Pkcs11Module>& module() const noexcept { return module_; }

  // Object handles matching the template (C_FindObjects*). Errors: io.
  base::Result<std::vector<CK_OBJECT_HANDLE>> find(std::span<CK_ATTRIBUTE> match) const;
  // One attribute's value. Errors: not_found (absent / CKR_ATTRIBUTE_TYPE_INVALID),
  // unsupported (CKR_ATTRIBUTE_SENSITIVE), io.
  base::Result<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  base::Result<CK_ULONG> ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  base::Result<bool> bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  // C_DestroyObject. Errors: io.
  base::Result<void> destroy(CK_OBJECT_HANDLE object) const;

 private:
  Pkcs11Session(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, CK_SESSION_HANDLE handle)
      : module_(std::move(module)), slot_(slot), handle_(handle) {}
  void close() noexcept;

  std::shared_ptr<Pkcs11Module> module_;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

// The normal user logged in to a token. Login state belongs to the whole
// application (PKCS#11 v2.40 section 5.6), so every session on the token
// can use private objects while this object lives; C_Logout on destruction.
// One store per token per process: a second login finds the first one's
// (CKR_USER_ALREADY_LOGGED_IN) and depends on it.
class Pkcs11Login {
 public:
  // `pin_source` names where the PIN came from, for error messages only.
  // Errors: invalid_argument (CKR_PIN_INCORRECT, naming pin_source),
  // conflict (PIN locked), io (other failures). The PIN is never logged.
  static base::Result<Pkcs11Login> login(std::shared_ptr<Pkcs11Session> session, const SecretString& pin,
                                         std::string_view pin_source);

  Pkcs11Login(Pkcs11Login&&) noexcept = default;
  Pkcs11Login& operator=(Pkcs11Login&&) noexcept = default;
  ~Pkcs11Login();

  const std::shared_ptr<Pkcs11Session>& session() const noexcept { return session_; }

 private:
  Pkcs11Login(std::shared_ptr<Pkcs11Session> session, bool logout)
      : session_(std::move(session)), logout_(logout) {}
  std::shared_ptr<Pkcs11Session> session_;
  bool logout_;  // false when the application was already logged in: that login is not ours
};

// Template helpers: a CK_ATTRIBUTE pointing at a value that must outlive it.
template <class T>
CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, T& value) {
  return {type, &value, sizeof value};
}
inline CK_ATTRIBUTE attr_bytes(CK_ATTRIBUTE_TYPE type, const void* data, size_t size) {
  return {type, const_cast<void*>(data), size};  // Cryptoki's templates are not const-correct
}

}  // namespace signerd::hsm
