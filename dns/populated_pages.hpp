// dns/populated_pages.hpp — large blocks of zone memory, mapped and filled
// with pages in one call.
//
// Owns: map_populated() / unmap_populated(), the allocator of the big
// chunks of ByteArena and ChunkedArray. A 1M-name signed zone fills about
// half a GiB of them while it loads. Touched page by page, that is one page
// fault per 4 KiB: on the 2-core benchmark VM 1.9 s per 512 MiB, a third of
// a restart. The kernel populates a whole mapping in one call
// (MADV_POPULATE_WRITE, Linux 5.14) in half that time; an older kernel
// refuses it and the pages come by faults as before.
// Not MADV_HUGEPAGE, though huge pages populate faster still: khugepaged
// then collapses the zone's pages behind the signer's back for minutes,
// and sign_change at 1M names went from 1.1 to 2.2 ms while it did.
#pragma once

#include <cstddef>

namespace signerd::dns {

// `bytes` of zeroed read-write memory, page aligned. Throws std::bad_alloc
// when the system has no memory.
void* map_populated(size_t bytes);

// Releases what map_populated(bytes) returned.
void unmap_populated(void* block, size_t bytes) noexcept;

}  // namespace signerd::dns
