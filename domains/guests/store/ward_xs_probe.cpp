// SPDX-License-Identifier: MIT
// ward-xs-probe: a tiny guest-side tool for the store-domain test images (docs/store-domain.md).
//   ward-xs-probe write PATH VALUE   XS_WRITE through /dev/xen/xenbus (the kernel's xenbus)
//   ward-xs-probe read PATH          XS_READ, prints the value
//   ward-xs-probe map DOMID REF      tries to map another domain's grant through gntdev
// Exit status 0 on success, 1 on a refused or failed operation (with the reason on stdout).
// The device work is the shared wrappers' (domains/lib/xendev).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ward/xendev/devices.hpp"
#include "ward/xendev/xenstore.hpp"

namespace
{

using dom::xendev::Gntdev;
using dom::xendev::Xenstore;

int fail(std::string const &why)
{
    std::printf("WARD-PROBE: %s\n", why.c_str());
    return 1;
}

int map_grant(uint32_t domid, uint32_t ref)
{
    auto dev = Gntdev::open();
    if (!dev)
        return fail(dev.error());
    auto const m = dev->map(domid, ref);
    if (!m)
        return fail("map of domain " + std::to_string(domid) + " grant ref " + std::to_string(ref) +
                    " refused: " + m.error());
    std::printf("WARD-PROBE: map of domain %u grant ref %u ALLOWED\n", domid, ref);
    dev->unmap(*m);
    return 0;
}

int store(std::string_view cmd, char const *path, char const *value)
{
    auto xs = Xenstore::open();
    if (!xs)
        return fail(xs.error());
    if (cmd == "write") {
        auto const r = xs->write(path, value);
        return r ? 0 : fail(r.error());
    }
    auto const r = xs->read(path);
    if (!r)
        return fail(r.error());
    std::printf("%s\n", r->c_str());
    return 0;
}

int usage()
{
    std::fprintf(stderr, "usage: ward-xs-probe write PATH VALUE | read PATH | map DOMID REF\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    std::string_view const cmd = argc > 1 ? argv[1] : "";
    if (cmd == "map" && argc == 4)
        return map_grant(static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 0)),
                         static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 0)));
    if (cmd == "write" && argc == 4)
        return store(cmd, argv[2], argv[3]);
    if (cmd == "read" && argc == 3)
        return store(cmd, argv[2], nullptr);
    return usage();
}
