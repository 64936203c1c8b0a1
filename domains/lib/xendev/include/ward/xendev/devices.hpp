// SPDX-License-Identifier: MIT
// Thin wrappers over the Linux Xen device nodes a service domain uses (docs/store-domain.md,
// docs/vchan.md): /dev/xen/gntdev (map another domain's grant into this process), /dev/xen/evtchn
// (event channel ports as a readable fd) and /dev/xen/privcmd (a raw hypercall, for Ward's
// WARD_DOMCTL_STORE_INFO). Layouts and ioctl numbers are Linux's uapi (xen/gntdev.h,
// xen/evtchn.h, xen/privcmd.h). Errors are strings naming the call and errno.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hv/result.hpp"

namespace dom::xendev
{

template <typename T> using Result = hv::Result<T, std::string>;

// One open /dev/xen/gntdev. Each map is one page of one grant.
class Gntdev
{
  public:
    static Result<Gntdev> open(char const *path = "/dev/xen/gntdev");
    Gntdev(Gntdev &&o) noexcept : fd_{o.fd_} { o.fd_ = -1; }
    Gntdev &operator=(Gntdev &&) = delete;
    ~Gntdev();

    struct Mapping
    {
        void *addr = nullptr;
        uint64_t index = 0; // the gntdev offset, for unmap
    };
    // Reserves the grant in gntdev and mmaps it; the hypervisor's map happens at mmap (a
    // refused grant fails there and the reservation is undone).
    Result<Mapping> map(uint32_t domid, uint32_t ref);
    void unmap(Mapping const &m);
    // Several grants of one domain mapped as `refs.size()` contiguous pages (a vchan ring).
    Result<Mapping> map_pages(uint32_t domid, std::vector<uint32_t> const &refs);
    void unmap_pages(Mapping const &m, std::size_t count);
    // When the mapping `m` goes away (unmap, close, exit, crash), clear the byte at
    // `byte_offset` of its first page and send an event on local `port`.
    Result<void> unmap_notify(Mapping const &m, uint32_t byte_offset, uint32_t port);

  private:
    explicit Gntdev(int fd) : fd_{fd} {}
    int fd_;
};

// One open /dev/xen/evtchn with at most one bound port (so the fd is readable exactly when
// that port fired).
class Evtchn
{
  public:
    static Result<Evtchn> open(char const *path = "/dev/xen/evtchn");
    Evtchn(Evtchn &&o) noexcept : fd_{o.fd_}, port_{o.port_} { o.fd_ = -1; }
    Evtchn &operator=(Evtchn &&) = delete;
    ~Evtchn();

    Result<uint32_t> bind_interdomain(uint32_t domid, uint32_t remote_port);
    // EVTCHNOP_alloc_unbound for `remote_domid` (who then binds it with bind_interdomain).
    Result<uint32_t> bind_unbound_port(uint32_t remote_domid);
    Result<uint32_t> bind_virq(uint32_t virq);
    Result<void> notify();
    // Reads the fired ports (non-blocking) and unmasks them; true if any had fired.
    bool consume();
    int fd() const { return fd_; }
    uint32_t port() const { return port_; }

  private:
    explicit Evtchn(int fd) : fd_{fd} {}
    int fd_;
    uint32_t port_ = 0;
};

// Hypercalls through /dev/xen/privcmd (the kernel issues them, so they come from ring 0).
class Privcmd
{
  public:
    static Result<Privcmd> open(char const *path = "/dev/xen/privcmd");
    Privcmd(Privcmd &&o) noexcept : fd_{o.fd_} { o.fd_ = -1; }
    Privcmd &operator=(Privcmd &&) = delete;
    ~Privcmd();
    // Returns the hypercall's result (a negative Xen errno on failure) or an ioctl error.
    Result<int64_t> hypercall(uint64_t op, uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0);

  private:
    explicit Privcmd(int fd) : fd_{fd} {}
    int fd_;
};

} // namespace dom::xendev
