// SPDX-License-Identifier: MIT
#include "ward/xendev/devices.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

// The uapi headers use Xen's own type names without defining them.
using domid_t = uint16_t;
using grant_ref_t = uint32_t;
#include <xen/evtchn.h>
#include <xen/gntdev.h>

namespace dom::xendev
{
namespace
{

// struct privcmd_hypercall (xen/privcmd.h; the header itself needs kernel-internal includes).
struct Privcmd_hypercall
{
    uint64_t op;
    uint64_t arg[5];
};
constexpr unsigned long IOCTL_PRIVCMD_HYPERCALL_NR =
    _IOC(_IOC_NONE, 'P', 0, sizeof(Privcmd_hypercall));

std::string sys_error(char const *what)
{
    return std::string{what} + ": " + std::strerror(errno);
}

Result<int> open_dev(char const *path, int flags)
{
    int const fd = ::open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return hv::unexpected(sys_error(path));
    return fd;
}

} // namespace

Result<Gntdev> Gntdev::open(char const *path)
{
    return Gntdev{HV_TRY(open_dev(path, O_RDWR))};
}

Gntdev::~Gntdev()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Result<Gntdev::Mapping> Gntdev::map(uint32_t domid, uint32_t ref)
{
    ioctl_gntdev_map_grant_ref req{};
    req.count = 1;
    req.refs[0].domid = domid;
    req.refs[0].ref = ref;
    if (::ioctl(fd_, IOCTL_GNTDEV_MAP_GRANT_REF, &req) != 0)
        return hv::unexpected(sys_error("IOCTL_GNTDEV_MAP_GRANT_REF"));
    void *const p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                           static_cast<off_t>(req.index));
    if (p == MAP_FAILED) {
        std::string err = sys_error("mmap of the grant");
        ioctl_gntdev_unmap_grant_ref un{};
        un.index = req.index;
        un.count = 1;
        (void)::ioctl(fd_, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
        return hv::unexpected(std::move(err));
    }
    return Mapping{p, req.index};
}

void Gntdev::unmap(Mapping const &m)
{
    ::munmap(m.addr, 4096);
    ioctl_gntdev_unmap_grant_ref un{};
    un.index = m.index;
    un.count = 1;
    (void)::ioctl(fd_, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
}

Result<Gntdev::Mapping> Gntdev::map_pages(uint32_t domid, std::vector<uint32_t> const &refs)
{
    constexpr std::size_t MAX_PAGES = 1024;
    if (refs.empty() || refs.size() > MAX_PAGES)
        return hv::unexpected(std::string{"gntdev: page count out of range"});
    // The request ends in a variable array of {domid, ref}, one per page.
    std::size_t const size =
        sizeof(ioctl_gntdev_map_grant_ref) + (refs.size() - 1) * sizeof(ioctl_gntdev_grant_ref);
    std::vector<uint64_t> raw((size + 7) / 8, 0);
    auto *req = reinterpret_cast<ioctl_gntdev_map_grant_ref *>(raw.data());
    req->count = static_cast<uint32_t>(refs.size());
    for (std::size_t i = 0; i < refs.size(); ++i) {
        req->refs[i].domid = domid;
        req->refs[i].ref = refs[i];
    }
    if (::ioctl(fd_, IOCTL_GNTDEV_MAP_GRANT_REF, req) != 0)
        return hv::unexpected(sys_error("IOCTL_GNTDEV_MAP_GRANT_REF"));
    std::size_t const len = 4096 * refs.size();
    void *const p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                           static_cast<off_t>(req->index));
    if (p == MAP_FAILED) {
        std::string err = sys_error("mmap of the grants");
        ioctl_gntdev_unmap_grant_ref un{};
        un.index = req->index;
        un.count = req->count;
        (void)::ioctl(fd_, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
        return hv::unexpected(std::move(err));
    }
    return Mapping{p, req->index};
}

void Gntdev::unmap_pages(Mapping const &m, std::size_t count)
{
    ::munmap(m.addr, 4096 * count);
    ioctl_gntdev_unmap_grant_ref un{};
    un.index = m.index;
    un.count = static_cast<uint32_t>(count);
    (void)::ioctl(fd_, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
}

Result<void> Gntdev::unmap_notify(Mapping const &m, uint32_t byte_offset, uint32_t port)
{
    ioctl_gntdev_unmap_notify n{};
    n.index = m.index + byte_offset;
    n.action = UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT;
    n.event_channel_port = port;
    if (::ioctl(fd_, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &n) != 0)
        return hv::unexpected(sys_error("IOCTL_GNTDEV_SET_UNMAP_NOTIFY"));
    return {};
}

Result<Evtchn> Evtchn::open(char const *path)
{
    return Evtchn{HV_TRY(open_dev(path, O_RDWR | O_NONBLOCK))};
}

Evtchn::~Evtchn()
{
    if (fd_ >= 0)
        ::close(fd_); // unbinds its ports
}

Result<uint32_t> Evtchn::bind_interdomain(uint32_t domid, uint32_t remote_port)
{
    ioctl_evtchn_bind_interdomain b{};
    b.remote_domain = domid;
    b.remote_port = remote_port;
    int const port = ::ioctl(fd_, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
    if (port < 0)
        return hv::unexpected(sys_error("IOCTL_EVTCHN_BIND_INTERDOMAIN"));
    port_ = static_cast<uint32_t>(port);
    return port_;
}

Result<uint32_t> Evtchn::bind_unbound_port(uint32_t remote_domid)
{
    ioctl_evtchn_bind_unbound_port b{};
    b.remote_domain = remote_domid;
    int const port = ::ioctl(fd_, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
    if (port < 0)
        return hv::unexpected(sys_error("IOCTL_EVTCHN_BIND_UNBOUND_PORT"));
    port_ = static_cast<uint32_t>(port);
    return port_;
}

Result<uint32_t> Evtchn::bind_virq(uint32_t virq)
{
    ioctl_evtchn_bind_virq b{};
    b.virq = virq;
    int const port = ::ioctl(fd_, IOCTL_EVTCHN_BIND_VIRQ, &b);
    if (port < 0)
        return hv::unexpected(sys_error("IOCTL_EVTCHN_BIND_VIRQ"));
    port_ = static_cast<uint32_t>(port);
    return port_;
}

Result<void> Evtchn::notify()
{
    ioctl_evtchn_notify n{};
    n.port = port_;
    if (::ioctl(fd_, IOCTL_EVTCHN_NOTIFY, &n) != 0)
        return hv::unexpected(sys_error("IOCTL_EVTCHN_NOTIFY"));
    return {};
}

bool Evtchn::consume()
{
    uint32_t ports[16];
    bool fired = false;
    for (;;) {
        ssize_t const n = ::read(fd_, ports, sizeof ports);
        if (n <= 0)
            break;
        fired = true;
        // Writing the ports back unmasks them (the device masked each as it fired).
        [[maybe_unused]] ssize_t const w = ::write(fd_, ports, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof ports)
            break;
    }
    return fired;
}

Result<Privcmd> Privcmd::open(char const *path)
{
    return Privcmd{HV_TRY(open_dev(path, O_RDWR))};
}

Privcmd::~Privcmd()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Result<int64_t> Privcmd::hypercall(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2)
{
    Privcmd_hypercall h{op, {a0, a1, a2, 0, 0}};
    long const r = ::ioctl(fd_, IOCTL_PRIVCMD_HYPERCALL_NR, &h);
    if (r < 0 && errno != 0) {
        // privcmd returns the hypercall's negative result as -1/errno.
        return static_cast<int64_t>(-errno);
    }
    return static_cast<int64_t>(r);
}

} // namespace dom::xendev
