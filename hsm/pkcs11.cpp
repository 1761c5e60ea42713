#include "hsm/pkcs11.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace signerd::hsm {

using base::Errc;
using base::make_error;

std::string ck_rv_name(CK_RV rv) {
  switch (rv) {
#define SIGNERD_CKR(name) \
  case name: return #name;
    SIGNERD_CKR(CKR_OK)
    SIGNERD_CKR(CKR_HOST_MEMORY)
    SIGNERD_CKR(CKR_SLOT_ID_INVALID)
    SIGNERD_CKR(CKR_GENERAL_ERROR)
    SIGNERD_CKR(CKR_FUNCTION_FAILED)
    SIGNERD_CKR(CKR_ARGUMENTS_BAD)
    SIGNERD_CKR(CKR_ATTRIBUTE_SENSITIVE)
    SIGNERD_CKR(CKR_ATTRIBUTE_TYPE_INVALID)
    SIGNERD_CKR(CKR_ATTRIBUTE_VALUE_INVALID)
    SIGNERD_CKR(CKR_DEVICE_ERROR)
    SIGNERD_CKR(CKR_DEVICE_REMOVED)
    SIGNERD_CKR(CKR_KEY_HANDLE_INVALID)
    SIGNERD_CKR(CKR_KEY_TYPE_INCONSISTENT)
    SIGNERD_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED)
    SIGNERD_CKR(CKR_MECHANISM_INVALID)
    SIGNERD_CKR(CKR_MECHANISM_PARAM_INVALID)
    SIGNERD_CKR(CKR_OBJECT_HANDLE_INVALID)
    SIGNERD_CKR(CKR_OPERATION_ACTIVE)
    SIGNERD_CKR(CKR_PIN_INCORRECT)
    SIGNERD_CKR(CKR_PIN_LOCKED)
    SIGNERD_CKR(CKR_SESSION_CLOSED)
    SIGNERD_CKR(CKR_SESSION_HANDLE_INVALID)
    SIGNERD_CKR(CKR_SESSION_READ_ONLY)
    SIGNERD_CKR(CKR_TEMPLATE_INCOMPLETE)
    SIGNERD_CKR(CKR_TEMPLATE_INCONSISTENT)
    SIGNERD_CKR(CKR_TOKEN_NOT_PRESENT)
    SIGNERD_CKR(CKR_TOKEN_NOT_RECOGNIZED)
    SIGNERD_CKR(CKR_USER_ALREADY_LOGGED_IN)
    SIGNERD_CKR(CKR_USER_NOT_LOGGED_IN)
    SIGNERD_CKR(CKR_USER_PIN_NOT_INITIALIZED)
    SIGNERD_CKR(CKR_USER_TYPE_INVALID)
    SIGNERD_CKR(CKR_BUFFER_TOO_SMALL)
    SIGNERD_CKR(CKR_CRYPTOKI_NOT_INITIALIZED)
    SIGNERD_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED)
#undef SIGNERD_CKR
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "CKR 0x%lx", static_cast<unsigned long>(rv));
      return buf;
    }
  }
}

namespace {

// The process-wide table of loaded modules. A count under one mutex (not a
// weak_ptr) so that a load racing with the last release cannot call
// C_Initialize before the old instance has finished C_Finalize.
struct ModuleTable {
  std::mutex mutex;
  std::map<std::string, std::pair<Pkcs11Module*, size_t>> loaded;
};
ModuleTable& module_table() {
  static ModuleTable table;
  return table;
}

std::shared_ptr<Pkcs11Module> share(Pkcs11Module* module) {
  return {module, [](Pkcs11Module* m) {
            auto& table = module_table();
            std::lock_guard lock(table.mutex);
            auto it = table.loaded.find(m->path());
            if (--it->second.second == 0) {
              table.loaded.erase(it);
              delete m;
            }
          }};
}

std::string token_label(const CK_TOKEN_INFO& info) {
  std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  while (!label.empty() && label.back() == ' ') label.pop_back();  // blank-padded, not NUL-terminated
  return label;
}

}  // namespace

base::Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::load(const std::string& path) {
  auto& table = module_table();
  std::lock_guard lock(table.mutex);
  if (auto it = table.loaded.find(path); it != table.loaded.end()) {
    ++it->second.second;
    return share(it->second.first);
  }
  // RTLD_NODELETE: a module's thread-local and atexit state may outlive
  // C_Finalize, and unloading it under such state crashes some modules; it
  // also keeps the module's symbols for leak reports.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) return make_error(Errc::io, "PKCS#11 module " + path + ": " + ::dlerror());
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST* fn = nullptr;
  if (get_list == nullptr || get_list(&fn) != CKR_OK || fn == nullptr) {
    ::dlclose(handle);
    return make_error(Errc::io, "PKCS#11 module " + path + ": no usable C_GetFunctionList");
  }
  // Native OS locking: signing workers call in from several threads.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = fn->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    ::dlclose(handle);
    return make_error(Errc::internal, "PKCS#11 module " + path + ": C_Initialize: " + ck_rv_name(rv));
  }
  auto* module = new Pkcs11Module(path, handle, fn, rv == CKR_OK);
  table.loaded.emplace(path, std::make_pair(module, size_t{1}));
  return share(module);
}

Pkcs11Module::~Pkcs11Module() {
  if (finalize_) fn_->C_Finalize(nullptr);
  ::dlclose(handle_);
}

base::Result<CK_SLOT_ID> find_token(const Pkcs11Module& module, std::string_view label) {
  CK_ULONG count = 0;
  CK_RV rv = module.fn()->C_GetSlotList(CK_TRUE, nullptr, &count);
  std::vector<CK_SLOT_ID> slots(count);
  if (rv == CKR_OK) rv = module.fn()->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return make_error(Errc::io, module.path() + ": C_GetSlotList: " + ck_rv_name(rv));
  slots.resize(count);
  std::vector<CK_SLOT_ID> matches;
  std::string present;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (module.fn()->C_GetTokenInfo(slot, &info) != CKR_OK || !(info.flags & CKF_TOKEN_INITIALIZED)) continue;
    std::string name = token_label(info);
    if (name == label) matches.push_back(slot);
    present += (present.empty() ? "'" : ", '") + name + "'";
  }
  if (matches.size() > 1) {
    return make_error(Errc::conflict, "PKCS#11 token label '" + std::string(label) + "' is on " +
                                          std::to_string(matches.size()) + " tokens; labels must be unique");
  }
  if (matches.empty()) {
    return make_error(Errc::not_found, "no PKCS#11 token labelled '" + std::string(label) + "' in " +
                                           module.path() +
                                           " (tokens present: " + (present.empty() ? "none" : present) + ")");
  }
  return matches.front();
}

base::Result<Pkcs11Session> Pkcs11Session::open(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot) {
  CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
  CK_RV rv =
      module->fn()->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &handle);
  if (rv != CKR_OK) return make_error(Errc::io, "PKCS#11 C_OpenSession: " + ck_rv_name(rv));
  return Pkcs11Session(std::move(module), slot, handle);
}

Pkcs11Session::Pkcs11Session(Pkcs11Session&& other) noexcept
    : module_(std::move(other.module_)),
      slot_(other.slot_),
      handle_(std::exchange(other.handle_, CK_INVALID_HANDLE)) {}

Pkcs11Session& Pkcs11Session::operator=(Pkcs11Session&& other) noexcept {
  if (this != &other) {
    close();
    module_ = std::move(other.module_);
    slot_ = other.slot_;
    handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
  }
  return *this;
}

void Pkcs11Session::close() noexcept {
  if (handle_ != CK_INVALID_HANDLE && module_) module_->fn()->C_CloseSession(handle_);
  handle_ = CK_INVALID_HANDLE;
}

base::Result<std::vector<CK_OBJECT_HANDLE>> Pkcs11Session::find(std::span<CK_ATTRIBUTE> match) const {
  CK_RV rv = fn()->C_FindObjectsInit(handle_, match.data(), match.size());
  if (rv != CKR_OK) return make_error(Errc::io, "PKCS#11 C_FindObjectsInit: " + ck_rv_name(rv));
  std::vector<CK_OBJECT_HANDLE> found;
  CK_OBJECT_HANDLE batch[64];
  CK_ULONG got = 0;
  while ((rv = fn()->C_FindObjects(handle_, batch, 64, &got)) == CKR_OK && got > 0) {
    found.insert(found.end(), batch, batch + got);
  }
  fn()->C_FindObjectsFinal(handle_);
  if (rv != CKR_OK) return make_error(Errc::io, "PKCS#11 C_FindObjects: " + ck_rv_name(rv));
  return found;
}

base::Result<Bytes> Pkcs11Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = fn()->C_GetAttributeValue(handle_, object, &a, 1);
  Bytes value;
  if (rv == CKR_OK && a.ulValueLen != CK_UNAVAILABLE_INFORMATION) {
    value.resize(a.ulValueLen);
    a.pValue = value.data();
    rv = fn()->C_GetAttributeValue(handle_, object, &a, 1);
  }
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(type));
  if (rv == CKR_ATTRIBUTE_SENSITIVE)
    return make_error(Errc::unsupported, std::string("attribute ") + hex + " is sensitive");
  if (rv == CKR_ATTRIBUTE_TYPE_INVALID || (rv == CKR_OK && a.ulValueLen == CK_UNAVAILABLE_INFORMATION)) {
    return make_error(Errc::not_found, std::string("object has no attribute ") + hex);
  }
  if (rv != CKR_OK)
    return make_error(Errc::io, std::string("C_GetAttributeValue ") + hex + ": " + ck_rv_name(rv));
  value.resize(a.ulValueLen);
  return value;
}

base::Result<CK_ULONG> Pkcs11Session::ulong_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  auto raw = attribute(object, type);
  if (!raw) return std::move(raw).error();
  if (raw->size() != sizeof(CK_ULONG)) return make_error(Errc::malformed, "CK_ULONG attribute of wrong size");
  CK_ULONG v = 0;
  std::memcpy(&v, raw->data(), sizeof v);
  return v;
}

base::Result<bool> Pkcs11Session::bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  auto raw = attribute(object, type);
  if (!raw) return std::move(raw).error();
  if (raw->size() != sizeof(CK_BBOOL)) return make_error(Errc::malformed, "CK_BBOOL attribute of wrong size");
  return (*raw)[0] != CK_FALSE;
}

base::Result<void> Pkcs11Session::destroy(CK_OBJECT_HANDLE object) const {
  CK_RV rv = fn()->C_DestroyObject(handle_, object);
  if (rv != CKR_OK) return make_error(Errc::io, "PKCS#11 C_DestroyObject: " + ck_rv_name(rv));
  return base::ok();
}

base::Result<Pkcs11Login> Pkcs11Login::login(std::shared_ptr<Pkcs11Session> session, const SecretString& pin,
                                             std::string_view pin_source) {
  CK_RV rv = session->fn()->C_Login(
      session->handle(), CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data())), pin.size());
  if (rv == CKR_OK) return Pkcs11Login(std::move(session), true);
  if (rv == CKR_USER_ALREADY_LOGGED_IN) return Pkcs11Login(std::move(session), false);
  std::string where = "PKCS#11 login with the PIN from " + std::string(pin_source) + ": ";
  if (rv == CKR_PIN_INCORRECT)
    return make_error(Errc::invalid_argument, where + "wrong PIN (CKR_PIN_INCORRECT)");
  if (rv == CKR_PIN_LOCKED) return make_error(Errc::conflict, where + "PIN locked (CKR_PIN_LOCKED)");
  return make_error(Errc::io, where + ck_rv_name(rv));
}

Pkcs11Login::~Pkcs11Login() {
  if (session_ && logout_) session_->fn()->C_Logout(session_->handle());
}

}  // namespace signerd::hsm
