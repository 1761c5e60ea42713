#include "dns/populated_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace signerd::dns {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older glibc headers lack it
#endif

}  // namespace

void* map_populated(size_t bytes) {
  const bool huge = bytes % kHugePage == 0;
  // Over-map by a huge page and trim, so that the block starts on a 2 MiB
  // boundary whatever the kernel's placement.
  const size_t mapped = huge ? bytes + kHugePage : bytes;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* block = static_cast<uint8_t*>(p);
  if (huge) {
    const auto at = reinterpret_cast<uintptr_t>(p);
    const size_t head = (kHugePage - at % kHugePage) % kHugePage;
    if (head > 0) ::munmap(p, head);
    block += head;
    const size_t tail = mapped - head - bytes;
    if (tail > 0) ::munmap(block + bytes, tail);
    (void)::madvise(block, bytes, MADV_HUGEPAGE);
  }
  // Best effort: an old kernel says EINVAL and the pages come by faults.
  (void)::madvise(block, bytes, MADV_POPULATE_WRITE);
  return block;
}

void unmap_populated(void* block, size_t bytes) noexcept { ::munmap(block, bytes); }

}  // namespace signerd::dns
