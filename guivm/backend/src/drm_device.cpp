// SPDX-License-Identifier: MIT
#include "ward/gui/drm_device.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

namespace gvm::kms
{

char const *errc_name(Errc e)
{
    switch (e) {
    case Errc::NO_DEVICE: return "no DRM device";
    case Errc::NOT_DRM: return "not a DRM device";
    case Errc::NOT_MASTER: return "not DRM master";
    case Errc::NO_DUMB_BUFFERS: return "dumb buffers unsupported";
    case Errc::NO_CONNECTOR: return "no connected connector";
    case Errc::NO_MODE: return "no usable mode";
    case Errc::NO_CRTC: return "no CRTC";
    case Errc::BUFFER: return "dumb buffer failed";
    case Errc::MODESET: return "mode setting failed";
    case Errc::FLIP: return "page flip failed";
    case Errc::BAD_FRAME: return "bad frame";
    }
    return "?";
}

namespace
{

Error err(Errc c, std::string msg)
{
    return Error{c, std::string(errc_name(c)) + ": " + msg};
}

std::string sys(char const *what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

bool usable(Mode const &m)
{
    return m.width > 0 && m.height > 0 && m.width <= MAX_DIM && m.height <= MAX_DIM;
}

} // namespace

// ---- pure parts -------------------------------------------------------------------------------

Result<std::size_t> choose_connector(std::span<Connector const> connectors)
{
    bool any_connected = false;
    for (std::size_t i = 0; i < connectors.size(); ++i) {
        if (!connectors[i].connected)
            continue;
        any_connected = true;
        if (std::any_of(connectors[i].modes.begin(), connectors[i].modes.end(), usable))
            return i;
    }
    if (any_connected)
        return err(Errc::NO_MODE, "the connected connectors list no usable mode");
    return err(Errc::NO_CONNECTOR, std::to_string(connectors.size()) +
                                       " connector(s), none connected (is a display attached?)");
}

Result<std::size_t> choose_mode(std::span<Mode const> modes)
{
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < modes.size(); ++i) {
        Mode const &m = modes[i];
        if (!usable(m))
            continue;
        if (m.preferred)
            return i;
        if (!best)
            best = i;
        else {
            Mode const &b = modes[*best];
            uint64_t const a1 = uint64_t{m.width} * m.height, a2 = uint64_t{b.width} * b.height;
            if (a1 > a2 || (a1 == a2 && m.refresh > b.refresh))
                best = i;
        }
    }
    if (!best)
        return err(Errc::NO_MODE, std::to_string(modes.size()) + " mode(s), none usable");
    return *best;
}

Result<uint32_t> choose_crtc(uint32_t possible_crtcs, uint32_t current_crtc,
                             std::span<uint32_t const> crtc_ids)
{
    std::optional<uint32_t> first;
    for (std::size_t i = 0; i < crtc_ids.size() && i < 32; ++i) {
        if (!(possible_crtcs & (1u << i)))
            continue;
        if (crtc_ids[i] == current_crtc && current_crtc != 0)
            return crtc_ids[i];
        if (!first)
            first = crtc_ids[i];
    }
    if (!first)
        return err(Errc::NO_CRTC, "no CRTC in the encoder's possible set");
    return *first;
}

Result<Dumb_layout> dumb_layout(uint32_t width, uint32_t height, uint32_t bpp)
{
    if (width == 0 || height == 0 || width > MAX_DIM || height > MAX_DIM)
        return err(Errc::BAD_FRAME, "size " + std::to_string(width) + "x" + std::to_string(height) +
                                        " out of range");
    if (bpp == 0 || bpp % 8 != 0 || bpp > 32)
        return err(Errc::BAD_FRAME, "bpp " + std::to_string(bpp) + " unsupported");
    Dumb_layout l;
    l.min_pitch = width * (bpp / 8); // <= 16384 * 4: no overflow
    l.min_size = uint64_t{l.min_pitch} * height;
    return l;
}

Status check_dumb(Dumb_layout const &want, uint32_t pitch, uint64_t size)
{
    if (pitch < want.min_pitch)
        return err(Errc::BUFFER, "kernel pitch " + std::to_string(pitch) + " < " +
                                     std::to_string(want.min_pitch));
    uint64_t const rows = want.min_pitch ? want.min_size / want.min_pitch : 0;
    if (size < uint64_t{pitch} * rows)
        return err(Errc::BUFFER, "kernel size " + std::to_string(size) + " < pitch * height");
    return Ok{};
}

Rect clip(Rect r, uint32_t width, uint32_t height)
{
    int64_t const x0 = std::max<int64_t>(r.x, 0), y0 = std::max<int64_t>(r.y, 0);
    int64_t const x1 = std::min<int64_t>(int64_t{r.x} + std::max(r.w, 0), width);
    int64_t const y1 = std::min<int64_t>(int64_t{r.y} + std::max(r.h, 0), height);
    if (x1 <= x0 || y1 <= y0)
        return Rect{};
    return Rect{static_cast<int32_t>(x0), static_cast<int32_t>(y0), static_cast<int32_t>(x1 - x0),
                static_cast<int32_t>(y1 - y0)};
}

std::vector<Rect> Damage_tracker::take(std::size_t back, std::span<Rect const> damage)
{
    back &= 1;
    std::vector<Rect> out;
    std::vector<Rect> clipped;
    for (Rect const &r : damage) {
        Rect const c = clip(r, width_, height_);
        if (c.w > 0)
            clipped.push_back(c);
    }
    if (fresh_[back]) {
        out.push_back(Rect{0, 0, static_cast<int32_t>(width_), static_cast<int32_t>(height_)});
        fresh_[back] = false;
    } else {
        out = std::move(missing_[back]);
        out.insert(out.end(), clipped.begin(), clipped.end());
    }
    missing_[back].clear();
    std::vector<Rect> &other = missing_[back ^ 1];
    other.insert(other.end(), clipped.begin(), clipped.end());
    // Bound the list: past 64 rects, one bounding box is cheaper to track.
    if (other.size() > 64) {
        Rect u = other.front();
        for (Rect const &r : other) {
            int32_t const x1 = std::max(u.x + u.w, r.x + r.w), y1 = std::max(u.y + u.h, r.y + r.h);
            u.x = std::min(u.x, r.x);
            u.y = std::min(u.y, r.y);
            u.w = x1 - u.x;
            u.h = y1 - u.y;
        }
        other.assign(1, u);
    }
    return out;
}

// ---- the device -------------------------------------------------------------------------------

namespace
{

Result<int> open_card(std::string const &path, std::string &opened)
{
    std::vector<std::string> candidates;
    if (!path.empty())
        candidates.push_back(path);
    else
        for (int i = 0; i < 16; ++i)
            candidates.push_back("/dev/dri/card" + std::to_string(i));
    std::string why;
    for (std::string const &c : candidates) {
        int const fd = ::open(c.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            if (!path.empty())
                return err(Errc::NO_DEVICE, c + ": " + std::strerror(errno));
            if (errno != ENOENT)
                why += " " + c + ": " + std::strerror(errno) + ";";
            continue;
        }
        drmVersionPtr v = drmGetVersion(fd);
        if (!v) {
            ::close(fd);
            if (!path.empty())
                return err(Errc::NOT_DRM, c + " does not answer DRM_IOCTL_VERSION");
            continue;
        }
        drmFreeVersion(v);
        drmModeResPtr res = drmModeGetResources(fd);
        if (!res) { // a render-only driver (vgem): no KMS
            ::close(fd);
            if (!path.empty())
                return err(Errc::NOT_DRM, c + " has no KMS resources (render-only driver?)");
            why += " " + c + ": no KMS;";
            continue;
        }
        drmModeFreeResources(res);
        opened = c;
        return fd;
    }
    return err(Errc::NO_DEVICE, "no usable /dev/dri/cardN (is a KMS driver loaded?)" + why);
}

} // namespace

Result<std::unique_ptr<Output>> Output::open(std::string const &path)
{
    std::unique_ptr<Output> o{new Output};
    auto fd = open_card(path, o->path_);
    if (!fd)
        return fd.error();
    o->fd_ = *fd;

    if (!drmIsMaster(o->fd_) && drmSetMaster(o->fd_) != 0)
        return err(Errc::NOT_MASTER,
                   o->path_ + ": " + std::strerror(errno) + " (another display server owns it?)");
    uint64_t dumb = 0;
    if (drmGetCap(o->fd_, DRM_CAP_DUMB_BUFFER, &dumb) != 0 || !dumb)
        return err(Errc::NO_DUMB_BUFFERS, o->path_);

    drmModeResPtr res = drmModeGetResources(o->fd_);
    if (!res)
        return err(Errc::NOT_DRM, sys("drmModeGetResources"));
    std::vector<uint32_t> const crtcs(res->crtcs, res->crtcs + res->count_crtcs);
    std::vector<Connector> conns;
    std::vector<std::vector<drmModeModeInfo>> infos;
    for (int i = 0; i < res->count_connectors; ++i) {
        drmModeConnectorPtr c = drmModeGetConnector(o->fd_, res->connectors[i]);
        if (!c)
            continue;
        Connector k;
        k.id = c->connector_id;
        k.connected = c->connection == DRM_MODE_CONNECTED;
        infos.emplace_back(c->modes, c->modes + c->count_modes);
        for (int m = 0; m < c->count_modes; ++m)
            k.modes.push_back(Mode{c->modes[m].hdisplay, c->modes[m].vdisplay, c->modes[m].vrefresh,
                                   (c->modes[m].type & DRM_MODE_TYPE_PREFERRED) != 0,
                                   static_cast<std::size_t>(m)});
        k.encoders.assign(c->encoders, c->encoders + c->count_encoders);
        if (c->encoder_id)
            k.encoders.insert(k.encoders.begin(), c->encoder_id);
        conns.push_back(std::move(k));
        drmModeFreeConnector(c);
    }
    drmModeFreeResources(res);

    auto ci = choose_connector(conns);
    if (!ci)
        return ci.error();
    Connector const &conn = conns[*ci];
    auto mi = choose_mode(conn.modes);
    if (!mi)
        return mi.error();
    drmModeModeInfo const mode = infos[*ci][conn.modes[*mi].index];

    std::optional<uint32_t> crtc;
    for (uint32_t enc_id : conn.encoders) {
        drmModeEncoderPtr e = drmModeGetEncoder(o->fd_, enc_id);
        if (!e)
            continue;
        auto c = choose_crtc(e->possible_crtcs, e->crtc_id, crtcs);
        drmModeFreeEncoder(e);
        if (c) {
            crtc = *c;
            break;
        }
    }
    if (!crtc)
        return err(Errc::NO_CRTC, "connector " + std::to_string(conn.id) +
                                      ": none of its encoders reaches a CRTC");
    o->connector_ = conn.id;
    o->crtc_ = *crtc;
    o->mode_w_ = mode.hdisplay;
    o->mode_h_ = mode.vdisplay;
    o->refresh_ = mode.vrefresh;
    o->mode_blob_.resize(sizeof mode);
    std::memcpy(o->mode_blob_.data(), &mode, sizeof mode);

    if (drmModeCrtcPtr saved = drmModeGetCrtc(o->fd_, o->crtc_)) {
        o->saved_fb_ = saved->buffer_id;
        o->saved_x_ = saved->x;
        o->saved_y_ = saved->y;
        o->saved_valid_ = saved->mode_valid != 0;
        o->saved_mode_.resize(sizeof saved->mode);
        std::memcpy(o->saved_mode_.data(), &saved->mode, sizeof saved->mode);
        drmModeFreeCrtc(saved);
    }

    for (std::size_t i = 0; i < 2; ++i) {
        if (auto s = o->create_buffer(o->buf_[i]); !s)
            return s.error();
        o->fb_[i] = o->buf_[i].fb;
    }
    uint32_t conn_id = o->connector_;
    drmModeModeInfo m = mode;
    if (drmModeSetCrtc(o->fd_, o->crtc_, o->fb_[0], 0, 0, &conn_id, 1, &m) != 0)
        return err(Errc::MODESET, sys("drmModeSetCrtc"));
    o->restored_ = false; // from here on, the destructor puts the previous CRTC back
    o->front_ = 0;
    o->damage_ = std::make_unique<Damage_tracker>(o->mode_w_, o->mode_h_);
    return o;
}

Status Output::create_buffer(Buffer &b)
{
    auto want = dumb_layout(mode_w_, mode_h_);
    if (!want)
        return want.error();
    drm_mode_create_dumb create{};
    create.width = mode_w_;
    create.height = mode_h_;
    create.bpp = 32;
    if (drmIoctl(fd_, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0)
        return err(Errc::BUFFER, sys("DRM_IOCTL_MODE_CREATE_DUMB"));
    b.handle = create.handle;
    b.pitch = create.pitch;
    b.size = create.size;
    if (auto s = check_dumb(*want, b.pitch, b.size); !s)
        return s;
    if (drmModeAddFB(fd_, mode_w_, mode_h_, 24, 32, b.pitch, b.handle, &b.fb) != 0)
        return err(Errc::BUFFER, sys("drmModeAddFB"));
    drm_mode_map_dumb map{};
    map.handle = b.handle;
    if (drmIoctl(fd_, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0)
        return err(Errc::BUFFER, sys("DRM_IOCTL_MODE_MAP_DUMB"));
    void *p = mmap(nullptr, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                   static_cast<off_t>(map.offset));
    if (p == MAP_FAILED)
        return err(Errc::BUFFER, sys("mmap of a dumb buffer"));
    b.map = static_cast<uint8_t *>(p);
    std::memset(b.map, 0, b.size);
    return Ok{};
}

void Output::destroy_buffer(Buffer &b)
{
    if (b.map)
        munmap(b.map, b.size);
    if (b.fb)
        drmModeRmFB(fd_, b.fb);
    if (b.handle) {
        drm_mode_destroy_dumb d{};
        d.handle = b.handle;
        drmIoctl(fd_, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
    }
    b = Buffer{};
}

Output::~Output()
{
    if (fd_ < 0)
        return;
    if (flip_pending_)
        (void)wait_flip();
    (void)restore();
    for (Buffer &b : buf_)
        destroy_buffer(b);
    ::close(fd_);
}

void Output::on_flip(int, unsigned, unsigned, unsigned, void *data)
{
    auto *o = static_cast<Output *>(data);
    o->flip_pending_ = false;
    o->front_ ^= 1;
    ++o->flips_;
}

Status Output::wait_flip(int timeout_ms)
{
    while (flip_pending_) {
        pollfd p{fd_, POLLIN, 0};
        int const n = poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return err(Errc::FLIP, sys("poll on the DRM fd"));
        if (n == 0)
            return err(Errc::FLIP,
                       "no flip completion within " + std::to_string(timeout_ms) + " ms");
        drmEventContext ev{};
        ev.version = 2;
        ev.page_flip_handler = &Output::on_flip;
        if (drmHandleEvent(fd_, &ev) != 0)
            return err(Errc::FLIP, sys("drmHandleEvent"));
    }
    return Ok{};
}

Status Output::present(Frame const &frame, std::span<Rect const> damage)
{
    if (!frame.pixels || frame.width == 0 || frame.height == 0 ||
        frame.stride < std::size_t{frame.width} * 4)
        return err(Errc::BAD_FRAME, "null, empty or stride below width * 4");
    if (auto s = wait_flip(); !s)
        return s;
    std::size_t const back = front_ ^ 1;
    Buffer &b = buf_[back];
    uint32_t const w = std::min(frame.width, mode_w_), h = std::min(frame.height, mode_h_);
    for (Rect const &r0 : damage_->take(back, damage)) {
        Rect const r = clip(r0, w, h);
        for (int32_t y = r.y; y < r.y + r.h; ++y)
            std::memcpy(b.map + std::size_t(y) * b.pitch + std::size_t(r.x) * 4,
                        frame.pixels + std::size_t(y) * frame.stride + std::size_t(r.x) * 4,
                        std::size_t(r.w) * 4);
    }
    if (drmModePageFlip(fd_, crtc_, b.fb, DRM_MODE_PAGE_FLIP_EVENT, this) != 0)
        return err(Errc::FLIP, sys("drmModePageFlip"));
    flip_pending_ = true;
    return Ok{};
}

Status Output::restore()
{
    if (restored_ || fd_ < 0)
        return Ok{};
    restored_ = true;
    if (!saved_valid_ || !saved_fb_) // nothing was shown before: switch the CRTC off
        return drmModeSetCrtc(fd_, crtc_, 0, 0, 0, nullptr, 0, nullptr) == 0
                   ? Status{Ok{}}
                   : Status{err(Errc::MODESET, sys("drmModeSetCrtc (disable)"))};
    drmModeModeInfo m;
    std::memcpy(&m, saved_mode_.data(), sizeof m);
    uint32_t conn = connector_;
    if (drmModeSetCrtc(fd_, crtc_, saved_fb_, saved_x_, saved_y_, &conn, 1, &m) != 0)
        return err(Errc::MODESET, sys("drmModeSetCrtc (restore)"));
    return Ok{};
}

std::string Output::describe() const
{
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%s: connector %u, crtc %u, %ux%u@%u, pitch %u, fbs %u %u, found fb %u%s",
                  path_.c_str(), connector_, crtc_, mode_w_, mode_h_, refresh_, buf_[0].pitch,
                  buf_[0].fb, buf_[1].fb, saved_fb_, saved_valid_ ? "" : " (no mode)");
    return buf;
}

} // namespace gvm::kms
