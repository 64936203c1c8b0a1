// SPDX-License-Identifier: MIT
// ward-xs-probe: a tiny guest-side tool for the store-domain test images (docs/store-domain.md).
//   ward-xs-probe write PATH VALUE   XS_WRITE through /dev/xen/xenbus (the kernel's xenbus)
//   ward-xs-probe read PATH          XS_READ, prints the value
//   ward-xs-probe map DOMID REF      tries to map another domain's grant through gntdev
// Exit status 0 on success, 1 on a refused or failed operation (with the reason on stdout).
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

using domid_t = uint16_t;
using grant_ref_t = uint32_t;
#include <xen/gntdev.h>

namespace
{

constexpr uint32_t XS_READ = 2;
constexpr uint32_t XS_WRITE = 11;
constexpr uint32_t XS_ERROR = 16;

struct Header
{
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};

// One request and its reply on a fresh /dev/xen/xenbus handle.
bool xs_request(uint32_t type, std::string const &payload, std::string &reply, bool &error)
{
    int const fd = ::open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::printf("WARD-PROBE: open /dev/xen/xenbus: %s\n", std::strerror(errno));
        return false;
    }
    std::string msg(sizeof(Header), '\0');
    Header const h{type, 1, 0, static_cast<uint32_t>(payload.size())};
    std::memcpy(msg.data(), &h, sizeof h);
    msg += payload;
    bool ok = ::write(fd, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size());
    Header rh{};
    std::string buf(4096 + sizeof rh, '\0');
    size_t got = 0;
    while (ok && (got < sizeof rh || got < sizeof rh + rh.len)) {
        ssize_t const n = ::read(fd, buf.data() + got, buf.size() - got);
        ok = n > 0;
        got += ok ? static_cast<size_t>(n) : 0;
        if (got >= sizeof rh)
            std::memcpy(&rh, buf.data(), sizeof rh);
        ok = ok && rh.len <= 4096;
    }
    ::close(fd);
    if (!ok) {
        std::printf("WARD-PROBE: xenbus transfer failed: %s\n", std::strerror(errno));
        return false;
    }
    reply.assign(buf.data() + sizeof rh, rh.len);
    while (!reply.empty() && reply.back() == '\0')
        reply.pop_back();
    error = rh.type == XS_ERROR;
    return true;
}

int map_grant(uint32_t domid, uint32_t ref)
{
    int const fd = ::open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::printf("WARD-PROBE: open /dev/xen/gntdev: %s\n", std::strerror(errno));
        return 1;
    }
    ioctl_gntdev_map_grant_ref req{};
    req.count = 1;
    req.refs[0].domid = domid;
    req.refs[0].ref = ref;
    if (::ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &req) != 0) {
        std::printf("WARD-PROBE: map of domain %u grant ref %u refused at reservation: %s\n", domid,
                    ref, std::strerror(errno));
        return 1;
    }
    void *const p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                           static_cast<off_t>(req.index));
    if (p == MAP_FAILED) {
        std::printf("WARD-PROBE: map of domain %u grant ref %u refused: %s\n", domid, ref,
                    std::strerror(errno));
        return 1;
    }
    std::printf("WARD-PROBE: map of domain %u grant ref %u ALLOWED\n", domid, ref);
    ::munmap(p, 4096);
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
    if (argc < 3)
        return usage();
    std::string_view const cmd = argv[1];
    if (cmd == "map" && argc == 4)
        return map_grant(static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 0)),
                         static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 0)));
    std::string payload = argv[2];
    payload += '\0';
    uint32_t type = XS_READ;
    if (cmd == "write" && argc == 4) {
        type = XS_WRITE;
        payload += argv[3]; // XS_WRITE: path NUL value (no NUL after the value)
    } else if (cmd != "read" || argc != 3) {
        return usage();
    }
    std::string reply;
    bool error = false;
    if (!xs_request(type, payload, reply, error))
        return 1;
    if (error) {
        std::printf("WARD-PROBE: xenstore %s %s: %s\n", argv[1], argv[2], reply.c_str());
        return 1;
    }
    if (type == XS_READ)
        std::printf("%s\n", reply.c_str());
    return 0;
}
