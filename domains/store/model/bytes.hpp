// SPDX-License-Identifier: MIT
// A compact byte string for node names, values and child lists: 16 bytes, up to 12 bytes
// stored inline (most names and many values), longer ones in one heap block that carries its
// own capacity. std::string costs 32 bytes and keeps 15 inline; a tree of 100,000 nodes holds
// three of these per node.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <ostream>
#include <string>
#include <string_view>

namespace dom::store
{

class Bytes
{
  public:
    static constexpr uint32_t INLINE = 12;

    Bytes() = default;
    Bytes(std::string_view s) { assign(s); }
    Bytes(Bytes const &o) { assign(o.view()); }
    Bytes(Bytes &&o) noexcept
    {
        std::memcpy(static_cast<void *>(this), static_cast<void const *>(&o), sizeof *this);
        o.size_ = 0;
    }
    Bytes &operator=(Bytes const &o)
    {
        if (this != &o)
            assign(o.view());
        return *this;
    }
    Bytes &operator=(Bytes &&o) noexcept
    {
        if (this != &o) {
            release();
            std::memcpy(static_cast<void *>(this), static_cast<void const *>(&o), sizeof *this);
            o.size_ = 0;
        }
        return *this;
    }
    Bytes &operator=(std::string_view s)
    {
        assign(s);
        return *this;
    }
    ~Bytes() { release(); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    char const *data() const { return size_ <= INLINE ? inline_ : heap(); }
    std::string_view view() const { return {data(), size_}; }
    operator std::string_view() const { return view(); }
    std::string str() const { return std::string{view()}; }
    // Heap bytes held beyond the 16-byte object (0 when inline).
    size_t heap_bytes() const { return size_ <= INLINE ? 0 : 4 + capacity(); }

    void assign(std::string_view s);
    void append(std::string_view s);
    // Removes bytes [pos, pos + n).
    void erase(size_t pos, size_t n);

    friend bool operator==(Bytes const &a, std::string_view b) { return a.view() == b; }
    friend bool operator==(Bytes const &a, Bytes const &b) { return a.view() == b.view(); }
    friend std::ostream &operator<<(std::ostream &os, Bytes const &b) { return os << b.view(); }

  private:
    // Heap block: u32 capacity, then the bytes.
    char *block() const
    {
        char *p;
        std::memcpy(&p, inline_ + 4, sizeof p);
        return p;
    }
    void set_block(char *p) { std::memcpy(inline_ + 4, &p, sizeof p); }
    char *heap() const { return block() + 4; }
    uint32_t capacity() const
    {
        uint32_t c;
        std::memcpy(&c, block(), 4);
        return c;
    }
    void release();
    // Makes room for `n` bytes keeping the first `keep`; returns where they start.
    char *reserve(size_t n, size_t keep);

    uint32_t size_ = 0;
    // Inline bytes, or (at offset 4, 8-byte aligned in the object) the heap block pointer.
    char inline_[INLINE];
};

static_assert(sizeof(Bytes) == 16);

inline void Bytes::release()
{
    if (size_ > INLINE)
        std::free(block());
    size_ = 0;
}

inline char *Bytes::reserve(size_t n, size_t keep)
{
    if (n <= INLINE) {
        if (size_ > INLINE) { // heap -> inline
            char *const old = block();
            std::memcpy(inline_, old + 4, keep);
            std::free(old);
        }
        size_ = static_cast<uint32_t>(n);
        return inline_;
    }
    if (size_ > INLINE && capacity() >= n) {
        size_ = static_cast<uint32_t>(n);
        return heap();
    }
    // Values are usually assigned once: exact size. Lists that grow get room to grow.
    size_t const cap = size_ > INLINE || keep > 0 ? n + n / 2 : n;
    if (cap > UINT32_MAX - 4)
        throw std::bad_alloc{};
    auto *const fresh = static_cast<char *>(std::malloc(4 + cap));
    if (!fresh)
        throw std::bad_alloc{};
    uint32_t const c = static_cast<uint32_t>(cap);
    std::memcpy(fresh, &c, 4);
    std::memcpy(fresh + 4, data(), keep);
    if (size_ > INLINE)
        std::free(block());
    set_block(fresh);
    size_ = static_cast<uint32_t>(n);
    return fresh + 4;
}

inline void Bytes::assign(std::string_view s)
{
    if (s.size() > UINT32_MAX - 4)
        throw std::bad_alloc{};
    // `s` may point into this object: copy through a temporary in that case.
    std::string_view const mine = view();
    if (!s.empty() && s.data() >= mine.data() && s.data() < mine.data() + mine.size()) {
        std::string const tmp{s};
        assign(tmp);
        return;
    }
    if (size_ > INLINE && s.size() > INLINE && capacity() > 2 * s.size() + 32) {
        release(); // do not keep a large block for a small value
    }
    char *const p = reserve(s.size(), 0);
    if (!s.empty())
        std::memcpy(p, s.data(), s.size());
}

inline void Bytes::append(std::string_view s)
{
    if (s.empty())
        return;
    std::string_view const mine = view();
    if (s.data() >= mine.data() && s.data() < mine.data() + mine.size()) {
        std::string const tmp{s};
        append(tmp);
        return;
    }
    size_t const old = size_;
    char *const p = reserve(old + s.size(), old);
    std::memcpy(p + old, s.data(), s.size());
}

inline void Bytes::erase(size_t pos, size_t n)
{
    if (pos >= size_)
        return;
    n = std::min<size_t>(n, size_ - pos);
    size_t const rest = size_ - pos - n;
    size_t const len = size_ - n;
    if (size_ > INLINE && len <= INLINE) { // heap -> inline
        char *const old = block();
        std::memcpy(inline_, old + 4, pos);
        std::memcpy(inline_ + pos, old + 4 + pos + n, rest);
        std::free(old);
        size_ = static_cast<uint32_t>(len);
        return;
    }
    char *const p = size_ > INLINE ? heap() : inline_;
    std::memmove(p + pos, p + pos + n, rest);
    size_ = static_cast<uint32_t>(len);
}

} // namespace dom::store
