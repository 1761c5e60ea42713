// xfr/tsig_key.cpp — TSIG algorithms, keys, key files and the keyring.
//
// Owns: the algorithm tables (config and wire names), TsigKey's wiping
// special members, load_tsig_key (a strict base64 decoder and the file-mode
// check) and TsigKeyring lookups. Does not own: MACs (xfr/tsig.cpp).
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "xfr/tsig.hpp"

namespace signerd::xfr {

namespace {

using base::Errc;
using base::make_error;

struct AlgorithmInfo {
  TsigAlgorithm algorithm;
  std::string_view config_name;
  std::string_view wire_text;
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {TsigAlgorithm::hmac_md5, "hmac-md5", "hmac-md5.sig-alg.reg.int."},
    {TsigAlgorithm::hmac_sha1, "hmac-sha1", "hmac-sha1."},
    {TsigAlgorithm::hmac_sha224, "hmac-sha224", "hmac-sha224."},
    {TsigAlgorithm::hmac_sha256, "hmac-sha256", "hmac-sha256."},
    {TsigAlgorithm::hmac_sha384, "hmac-sha384", "hmac-sha384."},
    {TsigAlgorithm::hmac_sha512, "hmac-sha512", "hmac-sha512."},
}};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (dns::to_lower_octet(static_cast<uint8_t>(a[i])) != dns::to_lower_octet(static_cast<uint8_t>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Built once; the names are constants, so from_text cannot fail.
const std::array<dns::Name, 6>& wire_names() {
  static const std::array<dns::Name, 6> names = [] {
    std::array<dns::Name, 6> out;
    for (size_t i = 0; i < kAlgorithms.size(); ++i) out[i] = *dns::Name::from_text(kAlgorithms[i].wire_text);
    return out;
  }();
  return names;
}

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Strict RFC 4648 section 4 base64: whole quanta, '=' only as the last one
// or two characters, nothing else. False on any junk; `out` may then hold
// part of the secret, which the caller wipes.
bool decode_base64(std::string_view text, std::vector<uint8_t>& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t quantum = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int v = 0;
      if (c == '=') {
        if (!last || j < 4 - pad) return false;
      } else {
        v = base64_value(c);
        if (v < 0) return false;
      }
      quantum = (quantum << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(quantum >> 16));
    if (!last || pad < 2) out.push_back(static_cast<uint8_t>(quantum >> 8));
    if (!last || pad < 1) out.push_back(static_cast<uint8_t>(quantum));
  }
  return true;
}

// Reads the whole file into `out` (wiped by the caller). The mode is
// checked on the open descriptor, so a rename in between cannot swap files.
Result<void> read_key_file(const std::filesystem::path& path, std::vector<char>& out) {
  const std::string shown = "TSIG secret file " + path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return make_error(Errc::io, shown + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(Errc::io, shown + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Errc::invalid_argument, shown + ": not a regular file");
  if ((st.st_mode & S_IROTH) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Errc::invalid_argument,
                      shown + ": readable by others (mode " + mode + "); chmod o-r it");
  }
  constexpr size_t kMaxFile = 4096;  // a 512-octet secret is 684 base64 characters
  out.resize(kMaxFile + 1);
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::io, shown + ": " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMaxFile) return make_error(Errc::malformed, shown + ": larger than 4096 octets");
  out.resize(got);
  return base::ok();
}

}  // namespace

std::optional<TsigAlgorithm> parse_tsig_algorithm(std::string_view config_name) noexcept {
  for (const auto& a : kAlgorithms) {
    if (iequals(a.config_name, config_name)) return a.algorithm;
  }
  return std::nullopt;
}

const dns::Name& tsig_algorithm_name(TsigAlgorithm algorithm) {
  return wire_names()[static_cast<size_t>(algorithm)];
}

std::optional<TsigAlgorithm> tsig_algorithm_from_name(dns::NameView wire_name) noexcept {
  const auto& names = wire_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].view() == wire_name) return kAlgorithms[i].algorithm;
  }
  return std::nullopt;
}

const char* tsig_error_name(TsigError error) noexcept {
  switch (error) {
    case TsigError::none: return "NOERROR";
    case TsigError::badsig: return "BADSIG";
    case TsigError::badkey: return "BADKEY";
    case TsigError::badtime: return "BADTIME";
    case TsigError::badtrunc: return "BADTRUNC";
  }
  return "TSIG error";
}

TsigKey::TsigKey(dns::Name name, TsigAlgorithm algorithm, std::vector<uint8_t> secret)
    : name_(std::move(name)), algorithm_(algorithm), secret_(std::move(secret)) {}

TsigKey::TsigKey(const TsigKey& other) = default;

TsigKey& TsigKey::operator=(const TsigKey& other) {
  if (this == &other) return *this;
  OPENSSL_cleanse(secret_.data(), secret_.size());
  name_ = other.name_;
  algorithm_ = other.algorithm_;
  // assign() may reuse the old buffer (already wiped) or free it.
  secret_.assign(other.secret_.begin(), other.secret_.end());
  return *this;
}

// A moved vector hands over its buffer: no copy is left behind to wipe.
TsigKey::TsigKey(TsigKey&& other) noexcept
    : name_(std::move(other.name_)), algorithm_(other.algorithm_), secret_(std::move(other.secret_)) {
  other.secret_.clear();
}

TsigKey& TsigKey::operator=(TsigKey&& other) noexcept {
  if (this == &other) return *this;
  OPENSSL_cleanse(secret_.data(), secret_.size());
  name_ = std::move(other.name_);
  algorithm_ = other.algorithm_;
  secret_ = std::move(other.secret_);
  other.secret_.clear();
  return *this;
}

TsigKey::~TsigKey() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

Result<TsigKey> load_tsig_key(const dns::Name& name, std::string_view algorithm,
                              const std::filesystem::path& secret_file) {
  const auto alg = parse_tsig_algorithm(algorithm);
  if (!alg) {
    return make_error(Errc::invalid_argument,
                      "TSIG key " + name.to_text() + ": unknown algorithm '" + std::string(algorithm) + "'");
  }
  std::vector<char> text;
  std::vector<uint8_t> secret;
  auto wipe = [&] {
    OPENSSL_cleanse(text.data(), text.capacity());
    OPENSSL_cleanse(secret.data(), secret.capacity());
  };
  if (auto read = read_key_file(secret_file, text); !read) {
    wipe();
    return make_error(read.error().code, "TSIG key " + name.to_text() + ": " + read.error().detail);
  }
  std::string_view body(text.data(), text.size());
  while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  const bool empty = body.empty();
  const bool decoded = !empty && decode_base64(body, secret);
  if (!decoded || secret.empty()) {
    wipe();
    return make_error(Errc::malformed, "TSIG key " + name.to_text() + ": secret file " +
                                           secret_file.string() +
                                           (empty ? " is empty" : " does not hold one base64 value"));
  }
  OPENSSL_cleanse(text.data(), text.capacity());
  return TsigKey(name, *alg, std::move(secret));
}

const TsigKey* TsigKeyring::find(dns::NameView name, TsigAlgorithm algorithm) const noexcept {
  for (const auto& k : keys_) {
    if (k.algorithm() == algorithm && k.name().view() == name) return &k;
  }
  return nullptr;
}

const TsigKey* TsigKeyring::find(dns::NameView name) const noexcept {
  for (const auto& k : keys_) {
    if (k.name().view() == name) return &k;
  }
  return nullptr;
}

}  // namespace signerd::xfr
