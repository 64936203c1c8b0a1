// SPDX-License-Identifier: MIT
// /dev/xen/gntalloc: pages of this domain granted to another domain (docs/vchan.md, section 5).
// Linux allocates the pages, writes the grant entries into its own grant table and hands the
// grant references back; the pages stay granted until the mapping and the allocation are gone.
#pragma once

#include <cstdint>
#include <vector>

#include "ward/xendev/devices.hpp"

namespace dom::xendev
{

class Gntalloc
{
  public:
    static Result<Gntalloc> open(char const *path = "/dev/xen/gntalloc");
    Gntalloc(Gntalloc &&o) noexcept : fd_{o.fd_} { o.fd_ = -1; }
    Gntalloc &operator=(Gntalloc &&) = delete;
    ~Gntalloc();

    struct Grant
    {
        void *addr = nullptr; // `count` contiguous pages
        std::size_t count = 0;
        uint64_t index = 0;         // the gntalloc offset, for dealloc and unmap notify
        std::vector<uint32_t> refs; // one grant reference per page, in page order
    };
    // Allocates `count` zeroed pages granted (writable unless `readonly`) to `domid` and maps
    // them into this process.
    Result<Grant> grant(uint16_t domid, std::size_t count, bool readonly = false);
    // When this allocation is unmapped (close, exit, crash), clear the byte at `byte_offset` of
    // its first page and send an event on local `port` (libxenvchan's peer-exit notice).
    Result<void> unmap_notify(Grant const &g, uint32_t byte_offset, uint32_t port);
    void release(Grant &g);

  private:
    explicit Gntalloc(int fd) : fd_{fd} {}
    int fd_;
};

} // namespace dom::xendev
