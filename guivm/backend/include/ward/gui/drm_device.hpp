// SPDX-License-Identifier: MIT
// KMS output through libdrm, free of Qt so that it runs in a bare initramfs (tests/emu/kms):
// open a DRM card, pick a connected connector and its preferred mode, a CRTC its encoders can
// drive, two XRGB8888 dumb buffers, set the mode, then present frames by page flips with double
// buffering. The previous CRTC configuration is restored when the output is destroyed.
// The pure parts (connector/mode choice, dumb buffer maths, damage bookkeeping) are separate
// functions, unit-tested on hosts without /dev/dri (tests/unit/guivm/kms_test.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace gvm::kms
{

enum class Errc
{
    NO_DEVICE,       // no /dev/dri/cardN, or the path cannot be opened
    NOT_DRM,         // the path is not a DRM device
    NOT_MASTER,      // another process (a display server) holds DRM master
    NO_DUMB_BUFFERS, // the driver lacks DRM_CAP_DUMB_BUFFER
    NO_CONNECTOR,    // no connector is connected
    NO_MODE,         // the connected connector lists no usable mode
    NO_CRTC,         // no CRTC reachable from the connector's encoders
    BUFFER,          // creating, adding or mapping a dumb buffer failed
    MODESET,         // drmModeSetCrtc failed
    FLIP,            // drmModePageFlip or its completion failed
    BAD_FRAME,       // a frame that does not fit the call's contract
};

char const *errc_name(Errc e);

struct Error
{
    Errc code;
    std::string message;
};

// Either a value or an Error (C++20: no std::expected).
template <class T> class Result
{
  public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    explicit operator bool() const { return v_.index() == 0; }
    T &operator*() { return std::get<0>(v_); }
    T *operator->() { return &std::get<0>(v_); }
    Error const &error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

struct Ok
{};
using Status = Result<Ok>;

// ---- pure parts -------------------------------------------------------------------------------

struct Mode
{
    uint32_t width = 0, height = 0, refresh = 0; // refresh in Hz
    bool preferred = false;
    std::size_t index = 0; // position in the connector's mode list
};

struct Connector
{
    uint32_t id = 0;
    bool connected = false;
    std::vector<Mode> modes;
    std::vector<uint32_t> encoders;
};

// The connector to drive: the first connected one with at least one usable mode.
// NO_CONNECTOR if none is connected, NO_MODE if the connected ones have no usable mode.
Result<std::size_t> choose_connector(std::span<Connector const> connectors);

// Its mode: the preferred one; else the largest area, then the highest refresh. Modes with a zero
// or oversized (> MAX_DIM) dimension are unusable. NO_MODE if nothing is usable.
inline constexpr uint32_t MAX_DIM = 16384;
Result<std::size_t> choose_mode(std::span<Mode const> modes);

// The CRTC for an encoder: bit i of `possible_crtcs` allows crtc_ids[i]. The encoder's current
// CRTC wins when allowed. NO_CRTC if none.
Result<uint32_t> choose_crtc(uint32_t possible_crtcs, uint32_t current_crtc,
                             std::span<uint32_t const> crtc_ids);

// Dumb buffer geometry for 32 bpp: what to ask for, and a check of what the kernel returned
// (pitch may be padded, never short; size at least pitch * height; nothing overflows).
struct Dumb_layout
{
    uint32_t min_pitch = 0;
    uint64_t min_size = 0;
};
Result<Dumb_layout> dumb_layout(uint32_t width, uint32_t height, uint32_t bpp = 32);
Status check_dumb(Dumb_layout const &want, uint32_t pitch, uint64_t size);

struct Rect
{
    int32_t x = 0, y = 0, w = 0, h = 0;
};
// Intersection with [0,w)x[0,h); empty (w == 0) if outside.
Rect clip(Rect r, uint32_t width, uint32_t height);

// Damage bookkeeping for N scanout buffers: what must be copied into the back buffer so that it
// equals the frame. A buffer that missed a previous frame's damage gets it too; a fresh buffer
// gets everything.
class Damage_tracker
{
  public:
    explicit Damage_tracker(uint32_t width, uint32_t height) : width_(width), height_(height) {}
    // Rects to copy into buffer `back` for a frame whose own damage is `damage`; records that the
    // other buffer now misses `damage`.
    std::vector<Rect> take(std::size_t back, std::span<Rect const> damage);

  private:
    uint32_t width_, height_;
    std::array<bool, 2> fresh_{true, true};
    std::array<std::vector<Rect>, 2> missing_;
};

// ---- the device -------------------------------------------------------------------------------

// A frame in memory: XRGB8888 (QImage::Format_RGB32 on little-endian), `stride` bytes per row.
struct Frame
{
    uint8_t const *pixels = nullptr;
    uint32_t width = 0, height = 0;
    std::size_t stride = 0;
};

class Output
{
  public:
    // Opens `path` ("" = the first /dev/dri/cardN that works), takes DRM master, picks the
    // connector, mode and CRTC, creates and maps two dumb buffers and sets the mode (black).
    static Result<std::unique_ptr<Output>> open(std::string const &path);
    ~Output(); // waits for a pending flip, restores the previous CRTC, frees the buffers
    Output(Output const &) = delete;
    Output &operator=(Output const &) = delete;

    uint32_t width() const { return mode_w_; }
    uint32_t height() const { return mode_h_; }
    uint32_t refresh() const { return refresh_; }
    std::string const &path() const { return path_; }
    uint32_t connector_id() const { return connector_; }
    uint32_t crtc_id() const { return crtc_; }
    int fd() const { return fd_; }
    uint64_t flips() const { return flips_; }
    uint32_t front_fb() const { return fb_[front_]; }
    std::string describe() const;

    // Copies the damaged parts of `frame` (clipped to the mode) into the back buffer and flips it
    // to the screen. If the previous flip has not completed yet, waits for it first.
    Status present(Frame const &frame, std::span<Rect const> damage);
    // Waits (up to timeout_ms) for the pending flip, if any.
    Status wait_flip(int timeout_ms = 1000);
    // Restores the CRTC as found at open() (also done by the destructor); idempotent.
    Status restore();

  private:
    Output() = default;
    struct Buffer
    {
        uint32_t handle = 0, fb = 0, pitch = 0;
        uint64_t size = 0;
        uint8_t *map = nullptr;
    };
    Status create_buffer(Buffer &b);
    void destroy_buffer(Buffer &b);
    static void on_flip(int fd, unsigned seq, unsigned sec, unsigned usec, void *data);

    int fd_ = -1;
    std::string path_;
    uint32_t connector_ = 0, crtc_ = 0, mode_w_ = 0, mode_h_ = 0, refresh_ = 0;
    std::vector<uint8_t> mode_blob_; // drmModeModeInfo of the chosen mode
    // The CRTC as found (restored on exit): its framebuffer, position and mode (if any).
    uint32_t saved_fb_ = 0, saved_x_ = 0, saved_y_ = 0;
    bool saved_valid_ = false;
    std::vector<uint8_t> saved_mode_;
    bool restored_ = true; // nothing to restore until the mode is set
    std::array<Buffer, 2> buf_{};
    std::array<uint32_t, 2> fb_{};
    std::size_t front_ = 0;
    bool flip_pending_ = false;
    uint64_t flips_ = 0;
    std::unique_ptr<Damage_tracker> damage_;
};

} // namespace gvm::kms
