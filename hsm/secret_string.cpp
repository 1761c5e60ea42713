#include "hsm/secret_string.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "base/raii.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

SecretString::SecretString(std::string_view text) : SecretString(text, text.size()) {}

SecretString::SecretString(std::string_view text, size_t size)
    : data_(std::make_unique<char[]>(size + 1)), size_(size) {  // value-initialised: zeroes
  if (!text.empty()) std::memcpy(data_.get(), text.data(), text.size());
}

SecretString::SecretString(SecretString&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecretString::wipe() noexcept {
  if (data_) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

base::Result<void> check_private_file(const std::string& path, int fd, size_t max_size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(Errc::io, path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Errc::invalid_argument, path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    return make_error(Errc::invalid_argument, path + ": mode " + mode_text(st.st_mode) +
                                                  " lets group or others access a secret; it must be 0600 "
                                                  "or stricter (chmod 600 " +
                                                  path + ")");
  }
  if (static_cast<size_t>(st.st_size) > max_size) {
    return make_error(Errc::out_of_range, path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  return base::ok();
}

}  // namespace

base::Result<SecretString> read_secret_file(const std::string& path, const SecretFileOptions& options) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return make_error(Errc::io, path + ": " + std::strerror(errno));
  SIGNERD_TRY(check_private_file(path, fd.get(), options.max_size));

  // One byte more than allowed, to notice a file that grew after fstat.
  auto buffer = SecretString::zeroed(options.max_size + 1);
  char* out = buffer.mutable_data();
  size_t used = 0;
  while (used <= options.max_size) {
    ssize_t n = ::read(fd.get(), out + used, options.max_size + 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::io, path + ": " + std::strerror(errno));
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > options.max_size) return make_error(Errc::out_of_range, path + ": file too large");
  if (options.strip_newline && used > 0 && out[used - 1] == '\n') {
    --used;
    if (used > 0 && out[used - 1] == '\r') --used;
  }
  if (used == 0) return make_error(Errc::invalid_argument, path + ": empty");
  return SecretString(std::string_view(out, used));
}

}  // namespace signerd::hsm
