// SPDX-License-Identifier: MIT
#include "ward/xendev/gntalloc.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/gntalloc.h>

namespace dom::xendev
{
namespace
{

std::string sys_error(char const *what)
{
    return std::string{what} + ": " + std::strerror(errno);
}

constexpr std::size_t PAGE = 4096;
constexpr std::size_t MAX_PAGES = 1024; // 4 MiB: far above a vchan's largest (2 x 1 MiB + 1)

} // namespace

Result<Gntalloc> Gntalloc::open(char const *path)
{
    int const fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(sys_error(path));
    return Gntalloc{fd};
}

Gntalloc::~Gntalloc()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Result<Gntalloc::Grant> Gntalloc::grant(uint16_t domid, std::size_t count, bool readonly)
{
    if (count == 0 || count > MAX_PAGES)
        return hv::unexpected(std::string{"gntalloc: page count out of range"});
    // The request ends in a variable array of grant references (one per page).
    std::size_t const size = sizeof(ioctl_gntalloc_alloc_gref) + (count - 1) * sizeof(uint32_t);
    std::unique_ptr<uint8_t[]> raw{new uint8_t[size]{}};
    auto *req = reinterpret_cast<ioctl_gntalloc_alloc_gref *>(raw.get());
    req->domid = domid;
    req->flags = readonly ? 0 : GNTALLOC_FLAG_WRITABLE;
    req->count = static_cast<uint32_t>(count);
    if (::ioctl(fd_, IOCTL_GNTALLOC_ALLOC_GREF, req) != 0)
        return hv::unexpected(sys_error("IOCTL_GNTALLOC_ALLOC_GREF"));
    Grant g;
    g.count = count;
    g.index = req->index;
    g.refs.assign(req->gref_ids, req->gref_ids + count);
    void *const p = ::mmap(nullptr, count * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                           static_cast<off_t>(g.index));
    if (p == MAP_FAILED) {
        std::string err = sys_error("mmap of the granted pages");
        ioctl_gntalloc_dealloc_gref d{};
        d.index = g.index;
        d.count = static_cast<uint32_t>(count);
        (void)::ioctl(fd_, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
        return hv::unexpected(std::move(err));
    }
    g.addr = p;
    return g;
}

Result<void> Gntalloc::unmap_notify(Grant const &g, uint32_t byte_offset, uint32_t port)
{
    ioctl_gntalloc_unmap_notify n{};
    n.index = g.index + byte_offset;
    n.action = UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT;
    n.event_channel_port = port;
    if (::ioctl(fd_, IOCTL_GNTALLOC_SET_UNMAP_NOTIFY, &n) != 0)
        return hv::unexpected(sys_error("IOCTL_GNTALLOC_SET_UNMAP_NOTIFY"));
    return {};
}

void Gntalloc::release(Grant &g)
{
    if (!g.addr)
        return;
    // Dealloc first, then unmap: the pages are freed (and ungranted) with the last reference.
    ioctl_gntalloc_dealloc_gref d{};
    d.index = g.index;
    d.count = static_cast<uint32_t>(g.count);
    (void)::ioctl(fd_, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
    ::munmap(g.addr, g.count * PAGE);
    g.addr = nullptr;
}

} // namespace dom::xendev
