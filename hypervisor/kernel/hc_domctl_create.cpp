// SPDX-License-Identifier: MIT
// WARD_DOMCTL_CREATE (see hc_domctl_create.hpp). Every guest-controlled length and address is
// checked before use, the command line and image are copied into hypervisor memory first (the
// guest cannot change them while they are validated), and the domain is then built by
// create_domain, the same path boot modules take.
#include "kernel/hc_domctl_create.hpp"

#include "hv/format.hpp"
#include "hv/module_cmdline.hpp"
#include "kernel/domain_create.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/memory.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

using xen::Errno;

unsigned order_for_bytes(uint64_t bytes)
{
    unsigned order = 0;
    while ((FRAME_SIZE << order) < bytes)
        ++order;
    return order;
}

// The guest's image in 2^order scratch frames, freed when this goes out of scope.
class Image_copy
{
  public:
    explicit Image_copy(uint64_t size) : size_{size}, order_{order_for_bytes(size)}
    {
        if (auto const pa = alloc_scratch(order_); pa)
            pa_ = *pa;
    }
    ~Image_copy()
    {
        if (pa_ != 0)
            free_scratch(pa_, order_);
    }
    Image_copy(Image_copy const &) = delete;
    Image_copy &operator=(Image_copy const &) = delete;
    bool ok() const { return pa_ != 0; }
    std::byte *data() const { return x86_bytes(pa_); }
    std::span<std::byte const> bytes() const { return {data(), static_cast<size_t>(size_)}; }

  private:
    static std::byte *x86_bytes(uint64_t pa) { return reinterpret_cast<std::byte *>(pa); }
    uint64_t size_;
    unsigned order_;
    uint64_t pa_ = 0;
};

// Copies in page-sized steps (read_guest walks the guest's page tables per call).
bool copy_in(Domain const &self, arch::Vcpu const &v, uint64_t gva, std::byte *dst, uint64_t n)
{
    if (gva + n < gva)
        return false;
    for (uint64_t done = 0; done < n;) {
        uint64_t const k = n - done < FRAME_SIZE ? n - done : FRAME_SIZE;
        if (!read_guest(self, v, gva + done, dst + done, static_cast<size_t>(k)))
            return false;
        done += k;
    }
    return true;
}

} // namespace

Result<uint16_t, Errno> domctl_create(Domain &self, arch::Vcpu &v, ward_domctl_create const &req)
{
    char what[80];
    format(what, sizeof what, "domctl create by domain %u '%s'", self.id, self.name.c_str());
    if (req.cmdline_size == 0 || req.cmdline_size > WARD_DOMCTL_CREATE_MAX_CMDLINE) {
        refuse(what, "command line size out of range (1..1024)");
        return unexpected(Errno::XEN_EINVAL);
    }
    if (req.image_size == 0 || req.image_size > WARD_DOMCTL_CREATE_MAX_IMAGE) {
        refuse(what, "image size out of range (1 byte..16 MiB)");
        return unexpected(Errno::XEN_EINVAL);
    }
    char cmdline[WARD_DOMCTL_CREATE_MAX_CMDLINE];
    if (!copy_in(self, v, req.cmdline, reinterpret_cast<std::byte *>(cmdline), req.cmdline_size)) {
        refuse(what, "command line not readable at the given address");
        return unexpected(Errno::XEN_EFAULT);
    }
    std::span<char const> const text{cmdline, req.cmdline_size};
    auto const parsed = parse_module_cmdline(text);
    if (!parsed) {
        char why[96];
        format(why, sizeof why, "bad command line: %s (column %u)",
               error_name(parsed.error().reason), parsed.error().column);
        refuse(what, why);
        return unexpected(Errno::XEN_EINVAL);
    }
    if (parsed->role != Module_role::DOMAIN) {
        refuse(what, "the command line does not describe a domain");
        return unexpected(Errno::XEN_EINVAL);
    }
    Domain_config const &cfg = parsed->domain;
    uint32_t const extra = cfg.caps.bits() & ~self.caps.bits();
    if (extra != 0) {
        char why[96];
        format(why, sizeof why, "caps= grants '%s', which the caller does not hold",
               cap_name(static_cast<Cap>(extra & (~extra + 1))));
        refuse(what, why);
        return unexpected(Errno::XEN_EPERM);
    }
    uint64_t const free_before = frames().free_frames();
    Image_copy image{req.image_size};
    if (!image.ok()) {
        refuse(what, "no host memory for a copy of the image");
        return unexpected(Errno::XEN_ENOMEM);
    }
    if (!copy_in(self, v, req.image, image.data(), req.image_size)) {
        refuse(what, "image not readable at the given address");
        return unexpected(Errno::XEN_EFAULT);
    }
    Domain *const d = HV_TRY(create_domain({what, cfg, image.bytes(), {}}));
    sched_add(*d, 0);
    log("ward: domain %u '%s' created by domain %u '%s' (free frames before: %llu, charged: %llu "
        "of %llu)\n",
        d->id, d->name.c_str(), self.id, self.name.c_str(),
        static_cast<unsigned long long>(free_before),
        static_cast<unsigned long long>(d->account.used()),
        static_cast<unsigned long long>(d->account.limit()));
    return d->id;
}

} // namespace hv::kernel
