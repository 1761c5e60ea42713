#include "hsm/algorithm.hpp"

#include <array>
#include <charconv>

#include "base/text.hpp"

namespace signerd::hsm {
namespace {

constexpr std::array<AlgorithmInfo, 6> kAlgorithms = {{
    {Algorithm::rsasha256, "RSASHA256", KeyFamily::rsa, "SHA256", 0, 0},
    {Algorithm::rsasha512, "RSASHA512", KeyFamily::rsa, "SHA512", 0, 0},
    {Algorithm::ecdsap256sha256, "ECDSAP256SHA256", KeyFamily::ecdsa, "SHA256", 32, 64},
    {Algorithm::ecdsap384sha384, "ECDSAP384SHA384", KeyFamily::ecdsa, "SHA384", 48, 96},
    {Algorithm::ed25519, "ED25519", KeyFamily::eddsa, "", 32, 64},
    {Algorithm::ed448, "ED448", KeyFamily::eddsa, "", 57, 114},
}};

}  // namespace

std::span<const AlgorithmInfo> all_algorithms() noexcept { return kAlgorithms; }

const AlgorithmInfo& info(Algorithm alg) noexcept {
  for (const auto& row : kAlgorithms) {
    if (row.algorithm == alg) return row;
  }
  return kAlgorithms[0];  // unreachable for values made by the parsers
}

std::optional<Algorithm> algorithm_from_number(unsigned n) noexcept {
  for (const auto& row : kAlgorithms) {
    if (static_cast<unsigned>(row.algorithm) == n) return row.algorithm;
  }
  return std::nullopt;
}

std::optional<Algorithm> algorithm_from_name(std::string_view text) noexcept {
  unsigned n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size()) return algorithm_from_number(n);
  for (const auto& row : kAlgorithms) {
    if (base::iequals(text, row.name)) return row.algorithm;
  }
  return std::nullopt;
}

}  // namespace signerd::hsm
