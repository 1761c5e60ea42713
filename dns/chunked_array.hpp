// dns/chunked_array.hpp — a large array of trivially copyable values in
// separately mapped 2 MiB chunks.
//
// Owns: ChunkedArray<T>, the staging store of ZoneBuilder. Unlike a vector
// it never reallocates (no growth slack, no copy of everything), and a
// reader that walks it front to back can hand finished chunks back to the
// system with release_before(), so the staged records of a large zone
// shrink while the finished tables grow. Chunks are mapped directly and
// populated at once (populated_pages.hpp), not malloc-ed: freeing them
// returns the memory at once, whatever malloc's thresholds. Random-access
// iterators, so std::sort works on it.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <iterator>
#include <type_traits>
#include <vector>

#include "dns/populated_pages.hpp"

namespace signerd::dns {

template <class T>
class ChunkedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr size_t kChunkBytes = size_t{2} << 20;
  static constexpr size_t kPerChunk = kChunkBytes / sizeof(T);

  ChunkedArray() = default;
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;
  ChunkedArray(ChunkedArray&& o) noexcept : chunks_(std::move(o.chunks_)), size_(o.size_) { o.size_ = 0; }
  ~ChunkedArray() { clear(); }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // Throws std::bad_alloc when the system has no memory left.
  void push_back(const T& v) {
    if (size_ == chunks_.size() * kPerChunk) {
      chunks_.reserve(chunks_.size() + 1);  // nothing to leak if this throws
      chunks_.push_back(static_cast<T*>(map_populated(kChunkBytes)));
    }
    (*this)[size_++] = v;
  }

  T& operator[](size_t i) noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](size_t i) const noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }

  // Unmaps the chunks that hold only elements below `index`; reading them
  // afterwards is a programmer error.
  void release_before(size_t index) noexcept {
    for (size_t c = 0; c < index / kPerChunk && c < chunks_.size(); ++c) {
      if (chunks_[c] != nullptr) unmap_populated(chunks_[c], kChunkBytes);
      chunks_[c] = nullptr;
    }
  }

  void clear() noexcept {
    for (T* c : chunks_) {
      if (c != nullptr) unmap_populated(c, kChunkBytes);
    }
    chunks_.clear();
    size_ = 0;
  }

  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;

    iterator() = default;
    iterator(ChunkedArray* a, std::ptrdiff_t i) : a_(a), i_(i) {}
    T& operator*() const { return (*a_)[static_cast<size_t>(i_)]; }
    T* operator->() const { return &**this; }
    T& operator[](std::ptrdiff_t n) const { return *(*this + n); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      auto t = *this;
      ++i_;
      return t;
    }
    iterator& operator--() {
      --i_;
      return *this;
    }
    iterator operator--(int) {
      auto t = *this;
      --i_;
      return t;
    }
    iterator& operator+=(std::ptrdiff_t n) {
      i_ += n;
      return *this;
    }
    iterator& operator-=(std::ptrdiff_t n) {
      i_ -= n;
      return *this;
    }
    friend iterator operator+(iterator it, std::ptrdiff_t n) { return it += n; }
    friend iterator operator+(std::ptrdiff_t n, iterator it) { return it += n; }
    friend iterator operator-(iterator it, std::ptrdiff_t n) { return it -= n; }
    friend std::ptrdiff_t operator-(const iterator& a, const iterator& b) { return a.i_ - b.i_; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.i_ <=> b.i_; }

   private:
    ChunkedArray* a_ = nullptr;
    std::ptrdiff_t i_ = 0;
  };

  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, static_cast<std::ptrdiff_t>(size_)); }

 private:
  std::vector<T*> chunks_;
  size_t size_ = 0;
};

}  // namespace signerd::dns
