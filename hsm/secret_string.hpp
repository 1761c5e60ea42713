// hsm/secret_string.hpp — secrets in memory and on disk.
//
// Owns: SecretString (bytes wiped with OPENSSL_cleanse when destroyed or
// moved from) and read_secret_file, which refuses files that group or others
// can read. Used for HSM PINs and PEM private keys. Does not own: where the
// secret goes next; callers must never log it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace signerd::hsm {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text);
  // n zero bytes, to be filled through mutable_data().
  static SecretString zeroed(size_t n) { return SecretString(std::string_view(), n); }
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString() { wipe(); }

  // The bytes; valid until this object changes. Not NUL-terminated.
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  const char* data() const noexcept { return data_.get(); }
  char* mutable_data() noexcept { return data_.get(); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  SecretString(std::string_view text, size_t size);
  void wipe() noexcept;

  // A plain buffer rather than std::string: a string may reallocate and
  // leave unwiped copies behind, and its small-string buffer moves by copy.
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

struct SecretFileOptions {
  size_t max_size = 64 * 1024;
  // Strip one trailing "\n" or "\r\n" (PIN files written by `echo`).
  bool strip_newline = false;
};

// Reads a secret file. Errors: io (cannot open or read), invalid_argument
// (not a regular file, group/other permission bits set: the detail names the
// file and its mode, empty file), out_of_range (larger than max_size).
// Symbolic links are not followed, so the mode checked is the file's own.
base::Result<SecretString> read_secret_file(const std::string& path, const SecretFileOptions& options = {});

}  // namespace signerd::hsm
