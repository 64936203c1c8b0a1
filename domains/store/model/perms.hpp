// SPDX-License-Identifier: MIT
// Node permissions: "<letter><domid>" entries, the first naming the owner and the default access.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hv/result.hpp"
#include "ward/store/wire.hpp"

namespace dom::store
{

enum Access : uint8_t
{
    ACCESS_NONE = 0,
    ACCESS_READ = 1,
    ACCESS_WRITE = 2,
    ACCESS_BOTH = 3,
    ACCESS_OWNER = 8, // internal: may change permissions
};

struct Perm
{
    uint32_t domid;
    uint8_t access; // ACCESS_NONE..ACCESS_BOTH

    bool operator==(Perm const &) const = default;
};

// A node's permission list. Nearly every node has one or two entries, so those live inline
// (24 bytes, no allocation); longer lists go to the heap.
class Perms
{
  public:
    Perms() {}
    Perms(std::initializer_list<Perm> l)
    {
        for (Perm const &p : l)
            push_back(p);
    }
    Perms(Perms const &o)
    {
        for (Perm const &p : o)
            push_back(p);
    }
    Perms(Perms &&o) noexcept { take(o); }
    Perms &operator=(Perms const &o)
    {
        if (this != &o) {
            clear();
            for (Perm const &p : o)
                push_back(p);
        }
        return *this;
    }
    Perms &operator=(Perms &&o) noexcept
    {
        if (this != &o) {
            release();
            take(o);
        }
        return *this;
    }
    ~Perms() { release(); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    Perm *begin() { return data(); }
    Perm *end() { return data() + size_; }
    Perm const *begin() const { return data(); }
    Perm const *end() const { return data() + size_; }
    Perm &front() { return data()[0]; }
    Perm const &front() const { return data()[0]; }
    Perm &operator[](size_t i) { return data()[i]; }
    Perm const &operator[](size_t i) const { return data()[i]; }
    void clear() { size_ = 0; }
    void push_back(Perm const &p)
    {
        if (size_ == cap_) {
            uint32_t const n = size_, cap = cap_ * 2;
            auto *grown = new Perm[cap];
            std::copy(begin(), end(), grown);
            release();
            heap_ = grown;
            cap_ = cap;
            size_ = n;
        }
        data()[size_++] = p;
    }
    bool operator==(Perms const &o) const { return std::equal(begin(), end(), o.begin(), o.end()); }

  private:
    static constexpr uint32_t INLINE = 2;
    Perm *data() { return cap_ > INLINE ? heap_ : inline_; }
    Perm const *data() const { return cap_ > INLINE ? heap_ : inline_; }
    void release()
    {
        if (cap_ > INLINE)
            delete[] heap_;
        cap_ = INLINE;
        size_ = 0;
    }
    void take(Perms &o)
    {
        size_ = o.size_;
        cap_ = o.cap_;
        if (cap_ > INLINE)
            heap_ = o.heap_;
        else
            std::copy(o.inline_, o.inline_ + size_, inline_);
        o.cap_ = INLINE;
        o.size_ = 0;
    }

    uint32_t size_ = 0;
    uint32_t cap_ = INLINE;
    union
    {
        Perm inline_[INLINE];
        Perm *heap_;
    };
};

// Who is asking: the connection's domain, whether it is privileged (dom0, the socket), and the
// domain it acts for after SET_TARGET.
struct Caller
{
    uint32_t domid = 0;
    bool privileged = true;
    std::optional<uint32_t> target;
};

// "n5" -> {5, NONE}; EINVAL for anything else (unknown letter, empty or non-decimal domid).
hv::Result<Perm, Err> parse_perm(std::string_view s);

// Appends "<letter><domid>\0" for each entry.
void format_perms(Perms const &perms, std::string &out);

// Effective access of `caller` on a node (C xenstored's perm_for_conn): privileged callers and
// the owner get everything; otherwise the first matching later entry, else entry 0's letter.
uint8_t access_for(Caller const &caller, Perms const &perms);

} // namespace dom::store
