// SPDX-License-Identifier: MIT
// Runs inside a QEMU guest (Debian kernel, bochs-drm) as the initramfs' test program, statically
// linked against the GUI domain's KMS output (guivm/backend/src/drm_device.cpp). It sets the mode,
// presents three frames by page flips (one full, two with partial damage, so the double-buffer
// damage carry-over is exercised), checks the error paths a real device can produce, and talks
// to the host runner (kms_test.py) over the serial console: "KMS-READY" means the pattern is on
// screen for a screendump, the host answers with a line; then the CRTC is restored.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>
#include <xf86drmMode.h>

#include "ward/gui/drm_device.hpp"

namespace k = gvm::kms;

namespace
{

int failures = 0;

void check(bool ok, char const *what, std::string const &detail = {})
{
    std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", what, detail.empty() ? "" : ": ",
                detail.c_str());
    std::fflush(stdout);
    if (!ok)
        ++failures;
}

bool wait_host(char const *tag)
{
    std::printf("%s\n", tag);
    std::fflush(stdout);
    pollfd p{0, POLLIN, 0};
    if (poll(&p, 1, 40000) <= 0)
        return false;
    char buf[64];
    return read(0, buf, sizeof buf) > 0;
}

void fill(std::vector<uint32_t> &px, uint32_t w, k::Rect r, uint32_t c)
{
    for (int32_t y = r.y; y < r.y + r.h; ++y)
        for (int32_t x = r.x; x < r.x + r.w; ++x)
            px[std::size_t(y) * w + std::size_t(x)] = c;
}

} // namespace

int main(int argc, char **argv)
{
    std::string const path = argc > 1 ? argv[1] : "";

    // Error paths on a real system first.
    {
        auto none = k::Output::open("/dev/dri/card99");
        check(!none && none.error().code == k::Errc::NO_DEVICE, "missing card gives NO_DEVICE",
              none ? "opened" : none.error().message);
        auto notdrm = k::Output::open("/dev/null");
        check(!notdrm && notdrm.error().code == k::Errc::NOT_DRM, "/dev/null gives NOT_DRM",
              notdrm ? "opened" : notdrm.error().message);
    }

    auto out = k::Output::open(path);
    if (!out) {
        check(false, "open", out.error().message);
        return 1;
    }
    k::Output &o = **out;
    check(true, "open", o.describe());
    uint32_t const w = o.width(), h = o.height();
    check(w >= 800 && h >= 600, "mode at least 800x600");
    std::printf("KMS-MODE %ux%u@%u\n", w, h, o.refresh());

    {
        auto second = k::Output::open(o.path());
        check(!second && second.error().code == k::Errc::NOT_MASTER,
              "a second opener gives NOT_MASTER", second ? "opened" : second.error().message);
    }

    std::vector<uint32_t> px(std::size_t(w) * h, 0x202020);
    k::Frame const f{reinterpret_cast<uint8_t const *>(px.data()), w, h, std::size_t(w) * 4};
    uint32_t fbs[3] = {};

    // Frame A: a window framed in its coalition's colour (red), white inside; full damage.
    k::Rect const win{100, 100, 400, 300};
    fill(px, w, win, 0xcc0000);
    fill(px, w, k::Rect{win.x + 8, win.y + 8, win.w - 16, win.h - 16}, 0xffffff);
    k::Rect const all{0, 0, int32_t(w), int32_t(h)};
    auto s = o.present(f, std::span<k::Rect const>(&all, 1));
    check(bool(s) && bool(o.wait_flip()), "present A (full)", s ? "" : s.error().message);
    fbs[0] = o.front_fb();
    // Frame B: damage only a green square.
    k::Rect const b{600, 100, 200, 200};
    fill(px, w, b, 0x00aa00);
    s = o.present(f, std::span<k::Rect const>(&b, 1));
    check(bool(s) && bool(o.wait_flip()), "present B (partial)", s ? "" : s.error().message);
    fbs[1] = o.front_fb();
    // Frame C: damage only a blue bar. Shown from A's buffer, which missed B's damage.
    k::Rect const c{100, 500, 200, 80};
    fill(px, w, c, 0x0000cc);
    s = o.present(f, std::span<k::Rect const>(&c, 1));
    check(bool(s) && bool(o.wait_flip()), "present C (partial)", s ? "" : s.error().message);
    fbs[2] = o.front_fb();
    check(o.flips() == 3, "three flip completions", std::to_string(o.flips()));
    check(fbs[0] != fbs[1] && fbs[0] == fbs[2], "double buffering alternates framebuffers",
          std::to_string(fbs[0]) + " " + std::to_string(fbs[1]) + " " + std::to_string(fbs[2]));
    drmModeCrtcPtr cur = drmModeGetCrtc(o.fd(), o.crtc_id());
    check(cur && cur->buffer_id == fbs[2], "the CRTC scans out the last flipped buffer");
    if (cur)
        drmModeFreeCrtc(cur);
    check(!o.present(k::Frame{}, {}), "a null frame is refused");

    if (!wait_host("KMS-READY")) {
        check(false, "host answered KMS-READY");
        return 1;
    }
    s = o.restore();
    check(bool(s), "restore", s ? "" : s.error().message);
    cur = drmModeGetCrtc(o.fd(), o.crtc_id());
    bool const gone = cur && cur->buffer_id != fbs[0] && cur->buffer_id != fbs[1];
    check(gone, "after restore the CRTC no longer shows our buffers",
          cur ? "fb " + std::to_string(cur->buffer_id) : "no crtc");
    if (cur)
        drmModeFreeCrtc(cur);
    if (!wait_host("KMS-RESTORED"))
        check(false, "host answered KMS-RESTORED");
    std::printf("KMS-RESULT %s (%d failures)\n", failures ? "FAIL" : "OK", failures);
    return failures ? 1 : 0;
}
