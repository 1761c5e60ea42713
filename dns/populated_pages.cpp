#include "dns/populated_pages.hpp"

#include <sys/mman.h>

#include <new>

namespace signerd::dns {

namespace {

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older glibc headers lack it
#endif

}  // namespace

void* map_populated(size_t bytes) {
  void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) throw std::bad_alloc();
  // Best effort: an old kernel says EINVAL and the pages come by faults.
  (void)::madvise(block, bytes, MADV_POPULATE_WRITE);
  return block;
}

void unmap_populated(void* block, size_t bytes) noexcept { ::munmap(block, bytes); }

}  // namespace signerd::dns
