// SPDX-License-Identifier: MIT
// ward-gui-agent: mirrors the top-level windows of a guest's X server into the Ward GUI protocol
// (docs/gui-agent.md). Windows are redirected with XComposite (automatic), their damage tracked
// with XDamage, their pixels copied with XShmGetImage (XGetImage without MIT-SHM) into sealed
// memfds shared over the vchan; input from the daemon is checked and injected with XTest.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <string>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#include <vector>

#include "ward/gui/encoder.hpp"
#include "ward/gui/parser.hpp"
#include "ward/gui/x11agent_logic.hpp"
#include "ward/vchan/vchan.hpp"

// X after the protocol headers: XI.h (through XTest) defines CREATE.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/XTest.h>
#include <X11/extensions/Xcomposite.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#undef CREATE

namespace
{

using namespace gvm;
using namespace gvm::proto;

constexpr std::size_t MAX_WINDOWS = 256; // the daemon's per-domain limit

int g_x_errors = 0;
int on_x_error(Display *, XErrorEvent *e)
{
    // Windows vanish between an event and our request to them: expected, never fatal.
    ++g_x_errors;
    if (std::getenv("WARD_GUI_AGENT_DEBUG"))
        std::fprintf(stderr, "ward-gui-agent: X error %d (request %d)\n", e->error_code,
                     e->request_code);
    return 0;
}

struct Win
{
    Window xid = 0;
    x11::Rect geom; // root coordinates, X size
    bool override_redirect = false;
    bool created = false; // CREATE sent
    bool mapped = false;
    Damage damage = 0;
    int fd = -1;
    uint32_t *px = nullptr;
    uint32_t bw = 0, bh = 0; // buffer size
    x11::Rect dirty;         // accumulated damage, window-relative
};

class Agent
{
  public:
    Agent(Display *dpy, dom::vchan::Vchan::Ptr chan) : dpy_{dpy}, chan_{std::move(chan)} {}
    ~Agent();
    bool init();
    int run();

  private:
    // X side
    void scan();
    void track(Window w);
    void handle_x(XEvent &e);
    void show(Win &w);
    void hide(Win &w);
    void forget(Window xid);
    void send_title(Win &w);
    void send_hints(Win &w);
    void send_class(Win &w);
    void send_urgency(Win &w);
    void attach_buffer(Win &w);
    void copy_dirty(Win &w);
    bool get_image(Win &w, x11::Rect r);
    Win *find(uint32_t id);
    // daemon side
    void pump();
    void handle(Message const &m);
    void sync_modifiers(uint32_t state);
    void send(std::vector<uint8_t> const &bytes);
    void flush();
    void clipboard_request();
    void clipboard_reply(XSelectionEvent const &e);
    void clipboard_set(std::vector<uint8_t> const &data);
    void selection_request(XSelectionRequestEvent const &e);

    Display *dpy_;
    Window root_ = 0;
    Window own_ = 0; // the agent's unmapped window: selections
    int screen_ = 0;
    int damage_event_ = 0, damage_error_ = 0;
    bool shm_ = false;
    XShmSegmentInfo seg_{};
    std::size_t seg_size_ = 0;
    Atom net_wm_name_ = 0, utf8_ = 0, wm_protocols_ = 0, wm_delete_ = 0, clipboard_ = 0,
         targets_ = 0, clip_prop_ = 0;
    std::map<Window, Win> wins_;

    dom::vchan::Vchan::Ptr chan_;
    bool version_sent_ = false, ready_ = false, closed_ = false, holding_ = false;
    std::vector<uint8_t> pending_, outbox_;
    // Messages from a WINDOW_DUMP on, held back until the daemon has drained the ring and had a
    // moment to take the memfd datagram (see flush()).
    std::vector<uint8_t> held_;
    std::chrono::steady_clock::time_point hold_until_{};
    Stream_parser parser_{Direction::FROM_DAEMON};
    std::string clip_data_; // what the daemon pasted; we own CLIPBOARD while non-empty
    bool clip_pending_ = false;
};

Agent::~Agent()
{
    for (auto &[xid, w] : wins_)
        if (w.px) {
            ::munmap(w.px, std::size_t{w.bw} * w.bh * 4);
            ::close(w.fd);
        }
    if (seg_.shmaddr) {
        XShmDetach(dpy_, &seg_);
        ::shmdt(seg_.shmaddr);
    }
}

bool Agent::init()
{
    int ev = 0, err = 0, major = 0, minor = 0;
    if (!XCompositeQueryExtension(dpy_, &ev, &err) ||
        (XCompositeQueryVersion(dpy_, &major, &minor), major == 0 && minor < 2)) {
        std::fprintf(stderr, "ward-gui-agent: the X server has no Composite 0.2\n");
        return false;
    }
    if (!XDamageQueryExtension(dpy_, &damage_event_, &damage_error_)) {
        std::fprintf(stderr, "ward-gui-agent: the X server has no DAMAGE\n");
        return false;
    }
    int xt_ev = 0, xt_err = 0;
    if (!XTestQueryExtension(dpy_, &xt_ev, &xt_err, &major, &minor)) {
        std::fprintf(stderr, "ward-gui-agent: the X server has no XTEST\n");
        return false;
    }
    shm_ = XShmQueryExtension(dpy_) && !std::getenv("WARD_GUI_AGENT_NO_SHM");
    screen_ = DefaultScreen(dpy_);
    root_ = RootWindow(dpy_, screen_);
    if (DefaultDepth(dpy_, screen_) != 24 && DefaultDepth(dpy_, screen_) != 32) {
        std::fprintf(stderr, "ward-gui-agent: only 24/32-bit TrueColor screens are supported\n");
        return false;
    }
    net_wm_name_ = XInternAtom(dpy_, "_NET_WM_NAME", False);
    utf8_ = XInternAtom(dpy_, "UTF8_STRING", False);
    wm_protocols_ = XInternAtom(dpy_, "WM_PROTOCOLS", False);
    wm_delete_ = XInternAtom(dpy_, "WM_DELETE_WINDOW", False);
    clipboard_ = XInternAtom(dpy_, "CLIPBOARD", False);
    targets_ = XInternAtom(dpy_, "TARGETS", False);
    clip_prop_ = XInternAtom(dpy_, "_WARD_CLIPBOARD", False);
    XCompositeRedirectSubwindows(dpy_, root_, CompositeRedirectAutomatic);
    XSelectInput(dpy_, root_, SubstructureNotifyMask);
    own_ = XCreateSimpleWindow(dpy_, root_, -10, -10, 1, 1, 0, 0, 0);
    XSelectInput(dpy_, own_, PropertyChangeMask);
    XSync(dpy_, False);
    std::printf("ward-gui-agent: X display ready (MIT-SHM %s)\n", shm_ ? "yes" : "no");
    std::fflush(stdout);
    return true;
}

Win *Agent::find(uint32_t id)
{
    auto it = wins_.find(static_cast<Window>(id));
    return it == wins_.end() || !it->second.created ? nullptr : &it->second;
}

// Starts tracking a top-level window (a child of the root).
void Agent::track(Window xid)
{
    if (xid == own_ || wins_.count(xid))
        return;
    XWindowAttributes a;
    if (!XGetWindowAttributes(dpy_, xid, &a) || a.c_class == InputOnly)
        return;
    Win &w = wins_[xid];
    w.xid = xid;
    w.geom = {a.x, a.y, static_cast<uint32_t>(a.width), static_cast<uint32_t>(a.height)};
    w.override_redirect = a.override_redirect;
    XSelectInput(dpy_, xid, PropertyChangeMask | StructureNotifyMask);
    w.damage = XDamageCreate(dpy_, xid, XDamageReportRawRectangles);
    if (a.map_state == IsViewable && ready_)
        show(w);
}

void Agent::scan()
{
    Window r = 0, parent = 0, *children = nullptr;
    unsigned n = 0;
    if (!XQueryTree(dpy_, root_, &r, &parent, &children, &n))
        return;
    for (unsigned i = 0; i < n; ++i)
        track(children[i]);
    if (children)
        XFree(children);
    for (auto &[xid, w] : wins_) {
        XWindowAttributes a;
        if (!w.mapped && XGetWindowAttributes(dpy_, xid, &a) && a.map_state == IsViewable)
            show(w);
    }
}

void Agent::attach_buffer(Win &w)
{
    x11::Rect const s = x11::buffer_size(w.geom.w, w.geom.h);
    if (w.px && w.bw == s.w && w.bh == s.h)
        return;
    std::size_t const len = std::size_t{s.w} * s.h * 4;
    int const fd = ::memfd_create("ward-gui-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(len)) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        std::fprintf(stderr, "ward-gui-agent: memfd: %s\n", std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return;
    }
    void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        ::close(fd);
        return;
    }
    auto h = chan_->share_memory(fd);
    if (!h) {
        std::fprintf(stderr, "ward-gui-agent: share_memory: %s\n",
                     dom::vchan::to_string(h.error()));
        ::munmap(p, len);
        ::close(fd);
        return;
    }
    // The daemon maps the memfd itself: the old buffer can go at once.
    if (w.px) {
        ::munmap(w.px, std::size_t{w.bw} * w.bh * 4);
        ::close(w.fd);
    }
    w.fd = fd;
    w.px = static_cast<uint32_t *>(p);
    w.bw = s.w;
    w.bh = s.h;
    hold_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
    holding_ = true;
    send(encode_dump_memfd(static_cast<uint32_t>(w.xid), s.w, s.h, *h));
    w.dirty = {0, 0, s.w, s.h};
}

void Agent::send_title(Win &w)
{
    std::string title;
    Atom type = 0;
    int format = 0;
    unsigned long n = 0, after = 0;
    unsigned char *data = nullptr;
    if (XGetWindowProperty(dpy_, w.xid, net_wm_name_, 0, 64, False, utf8_, &type, &format, &n,
                           &after, &data) == Success &&
        type == utf8_ && format == 8 && data) {
        title.assign(reinterpret_cast<char *>(data), n);
    } else {
        if (data)
            XFree(data);
        data = nullptr;
        XTextProperty tp{};
        if (XGetWMName(dpy_, w.xid, &tp) && tp.value) {
            if (tp.encoding == XA_STRING && tp.format == 8) {
                title = x11::latin1_to_utf8(
                    {reinterpret_cast<char *>(tp.value), static_cast<std::size_t>(tp.nitems)});
            } else if (tp.encoding == utf8_ && tp.format == 8) {
                title.assign(reinterpret_cast<char *>(tp.value), tp.nitems);
            } else {
                char **list = nullptr;
                int count = 0;
                if (Xutf8TextPropertyToTextList(dpy_, &tp, &list, &count) >= Success && count > 0 &&
                    list) {
                    title = list[0];
                    XFreeStringList(list);
                }
            }
            XFree(tp.value);
        }
    }
    if (data)
        XFree(data);
    send(encode(Type::TITLE, static_cast<uint32_t>(w.xid), x11::title_body(title)));
}

// WM_NORMAL_HINTS as HINTS (advisory for the daemon; the X flag bits are Qubes' too).
void Agent::send_hints(Win &w)
{
    XSizeHints sh{};
    long supplied = 0;
    if (!XGetWMNormalHints(dpy_, w.xid, &sh, &supplied))
        return;
    auto u = [](int v) { return static_cast<uint32_t>(std::max(v, 0)); };
    uint32_t const known = PMinSize | PMaxSize | PResizeInc | PBaseSize | USPosition | PPosition;
    send(encode(Type::HINTS, static_cast<uint32_t>(w.xid),
                Hints_body{static_cast<uint32_t>(sh.flags) & known, u(sh.min_width),
                           u(sh.min_height), u(sh.max_width), u(sh.max_height), u(sh.width_inc),
                           u(sh.height_inc), u(sh.base_width), u(sh.base_height)}));
}

void Agent::send_class(Win &w)
{
    XClassHint ch{};
    if (!XGetClassHint(dpy_, w.xid, &ch))
        return;
    Wmclass_body b{};
    if (ch.res_class)
        std::strncpy(b.res_class, ch.res_class, WMCLASS_LEN - 1);
    if (ch.res_name)
        std::strncpy(b.res_name, ch.res_name, WMCLASS_LEN - 1);
    XFree(ch.res_class);
    XFree(ch.res_name);
    send(encode(Type::WMCLASS, static_cast<uint32_t>(w.xid), b));
}

// The ICCCM urgency hint as DEMANDS_ATTENTION (the daemon marks the frame).
void Agent::send_urgency(Win &w)
{
    XWMHints *h = XGetWMHints(dpy_, w.xid);
    bool const urgent = h && (h->flags & XUrgencyHint);
    if (h)
        XFree(h);
    send(encode(
        Type::FLAGS, static_cast<uint32_t>(w.xid),
        Flags_body{urgent ? FLAG_DEMANDS_ATTENTION : 0u, urgent ? 0u : FLAG_DEMANDS_ATTENTION}));
}

void Agent::show(Win &w)
{
    if (!w.created) {
        if (std::count_if(wins_.begin(), wins_.end(), [](auto const &p) {
                return p.second.created;
            }) >= static_cast<long>(MAX_WINDOWS)) {
            std::fprintf(stderr, "ward-gui-agent: %zu windows shown; 0x%lx not mirrored\n",
                         MAX_WINDOWS, w.xid);
            return;
        }
        x11::Rect const s = x11::buffer_size(w.geom.w, w.geom.h);
        send(encode(Type::CREATE, static_cast<uint32_t>(w.xid),
                    Create_body{w.geom.x, w.geom.y, s.w, s.h, 0, w.override_redirect ? 1u : 0u}));
        w.created = true;
    }
    attach_buffer(w);
    send_title(w);
    send_hints(w);
    send_class(w);
    send_urgency(w);
    Window tf = 0;
    uint32_t transient = 0;
    if (XGetTransientForHint(dpy_, w.xid, &tf) && find(static_cast<uint32_t>(tf)))
        transient = static_cast<uint32_t>(tf);
    send(encode(Type::MAP, static_cast<uint32_t>(w.xid),
                Map_body{transient, w.override_redirect ? 1u : 0u}));
    w.mapped = true;
    w.dirty = {0, 0, w.bw, w.bh};
    std::printf("ward-gui-agent: window 0x%lx mapped %ux%u%s\n", w.xid, w.geom.w, w.geom.h,
                w.override_redirect ? " (override-redirect)" : "");
    std::fflush(stdout);
}

void Agent::hide(Win &w)
{
    if (w.created && w.mapped)
        send(encode_empty(Type::UNMAP, static_cast<uint32_t>(w.xid)));
    w.mapped = false;
}

void Agent::forget(Window xid)
{
    auto it = wins_.find(xid);
    if (it == wins_.end())
        return;
    Win &w = it->second;
    if (w.created)
        send(encode_empty(Type::DESTROY, static_cast<uint32_t>(xid)));
    if (w.px) {
        ::munmap(w.px, std::size_t{w.bw} * w.bh * 4);
        ::close(w.fd);
    }
    // The damage object went with the window.
    wins_.erase(it);
}

// Reads rectangle r of the window (clipped to it) into the window's buffer.
bool Agent::get_image(Win &w, x11::Rect r)
{
    int const depth = DefaultDepth(dpy_, screen_);
    Visual *visual = DefaultVisual(dpy_, screen_);
    XImage *img = nullptr;
    if (shm_) {
        std::size_t const need = std::size_t{r.w} * r.h * 4;
        if (need > seg_size_) {
            if (seg_.shmaddr) {
                XShmDetach(dpy_, &seg_);
                XSync(dpy_, False);
                ::shmdt(seg_.shmaddr);
                seg_ = {};
                seg_size_ = 0;
            }
            std::size_t const size = std::max<std::size_t>(need, 4u << 20);
            seg_.shmid = ::shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
            if (seg_.shmid < 0) {
                shm_ = false;
                return get_image(w, r);
            }
            seg_.shmaddr = static_cast<char *>(::shmat(seg_.shmid, nullptr, 0));
            ::shmctl(seg_.shmid, IPC_RMID, nullptr); // gone once both sides detach
            if (seg_.shmaddr == reinterpret_cast<char *>(-1)) {
                seg_ = {};
                shm_ = false;
                return get_image(w, r);
            }
            seg_.readOnly = False;
            XShmAttach(dpy_, &seg_);
            seg_size_ = size;
        }
        img = XShmCreateImage(dpy_, visual, static_cast<unsigned>(depth), ZPixmap, seg_.shmaddr,
                              &seg_, r.w, r.h);
        if (img && !XShmGetImage(dpy_, w.xid, img, r.x, r.y, AllPlanes)) {
            img->data = nullptr;
            XDestroyImage(img);
            return false;
        }
    } else {
        img = XGetImage(dpy_, w.xid, r.x, r.y, r.w, r.h, AllPlanes, ZPixmap);
    }
    if (!img)
        return false;
    if (img->bits_per_pixel == 32) {
        for (uint32_t y = 0; y < r.h; ++y)
            std::memcpy(w.px + std::size_t{r.y + y} * w.bw + r.x,
                        img->data + std::size_t{y} * static_cast<unsigned>(img->bytes_per_line),
                        std::size_t{r.w} * 4);
    } else {
        for (uint32_t y = 0; y < r.h; ++y)
            for (uint32_t x = 0; x < r.w; ++x)
                w.px[std::size_t{r.y + y} * w.bw + r.x + x] =
                    static_cast<uint32_t>(
                        XGetPixel(img, static_cast<int>(x), static_cast<int>(y))) &
                    0xffffff;
    }
    if (shm_)
        img->data = nullptr; // the segment is ours
    XDestroyImage(img);
    return true;
}

void Agent::copy_dirty(Win &w)
{
    if (!w.mapped || !w.px || w.dirty.w == 0)
        return;
    auto r = x11::clip_to_window(w.dirty, std::min(w.bw, w.geom.w), std::min(w.bh, w.geom.h));
    w.dirty = {};
    if (!r)
        return;
    if (!get_image(w, *r))
        return;
    send(encode(Type::DAMAGE, static_cast<uint32_t>(w.xid), Damage_body{r->x, r->y, r->w, r->h}));
}

void Agent::handle_x(XEvent &e)
{
    if (e.type == damage_event_ + XDamageNotify) {
        auto const &d = reinterpret_cast<XDamageNotifyEvent &>(e);
        auto it = wins_.find(d.drawable);
        if (it != wins_.end())
            it->second.dirty =
                x11::unite(it->second.dirty, {d.area.x, d.area.y, d.area.width, d.area.height});
        return;
    }
    switch (e.type) {
    case CreateNotify:
        if (e.xcreatewindow.parent == root_)
            track(e.xcreatewindow.window);
        break;
    case MapNotify:
        if (e.xmap.event == root_) {
            track(e.xmap.window);
            auto it = wins_.find(e.xmap.window);
            if (it != wins_.end() && ready_) {
                XWindowAttributes a;
                if (XGetWindowAttributes(dpy_, e.xmap.window, &a)) {
                    it->second.override_redirect = a.override_redirect;
                    it->second.geom = {a.x, a.y, static_cast<uint32_t>(a.width),
                                       static_cast<uint32_t>(a.height)};
                }
                if (!it->second.mapped)
                    show(it->second);
            }
        }
        break;
    case UnmapNotify:
        if (e.xunmap.event == root_)
            if (auto it = wins_.find(e.xunmap.window); it != wins_.end())
                hide(it->second);
        break;
    case DestroyNotify:
        if (e.xdestroywindow.event == root_)
            forget(e.xdestroywindow.window);
        break;
    case ReparentNotify:
        if (e.xreparent.event == root_ && e.xreparent.parent != root_)
            forget(e.xreparent.window);
        else if (e.xreparent.parent == root_)
            track(e.xreparent.window);
        break;
    case ConfigureNotify: {
        if (e.xconfigure.event != root_)
            break;
        auto it = wins_.find(e.xconfigure.window);
        if (it == wins_.end())
            break;
        Win &w = it->second;
        w.geom = {e.xconfigure.x, e.xconfigure.y, static_cast<uint32_t>(e.xconfigure.width),
                  static_cast<uint32_t>(e.xconfigure.height)};
        if (!w.created || !ready_)
            break;
        x11::Rect const s = x11::buffer_size(w.geom.w, w.geom.h);
        send(encode(Type::CONFIGURE, static_cast<uint32_t>(w.xid),
                    Configure_body{w.geom.x, w.geom.y, s.w, s.h, w.override_redirect ? 1u : 0u}));
        attach_buffer(w); // a new buffer when the size changed
        break;
    }
    case PropertyNotify: {
        auto it = wins_.find(e.xproperty.window);
        if (it == wins_.end() || !it->second.created)
            break;
        if (e.xproperty.atom == XA_WM_NAME || e.xproperty.atom == net_wm_name_)
            send_title(it->second);
        else if (e.xproperty.atom == XA_WM_NORMAL_HINTS)
            send_hints(it->second);
        else if (e.xproperty.atom == XA_WM_CLASS)
            send_class(it->second);
        else if (e.xproperty.atom == XA_WM_HINTS)
            send_urgency(it->second);
        break;
    }
    case SelectionNotify: clipboard_reply(e.xselection); break;
    case SelectionRequest: selection_request(e.xselectionrequest); break;
    case SelectionClear: clip_data_.clear(); break;
    default: break;
    }
}

// ---- the daemon side ----

void Agent::send(std::vector<uint8_t> const &bytes)
{
    if (!ready_) // nothing goes out before the handshake; windows are announced by scan()
        return;
    auto &q = holding_ ? held_ : outbox_;
    q.insert(q.end(), bytes.begin(), bytes.end());
    flush();
}

void Agent::flush()
{
    if (closed_ || chan_->state() != dom::vchan::State::CONNECTED)
        return;
    // On the host transport the memfd travels as a socket datagram beside the ring. ward-guid
    // takes datagrams when it wakes up and then reads the ring until it is empty, so a dump that
    // lands in the ring while it is reading can be parsed before its datagram was taken (it then
    // disconnects us). So a dump goes out only once the daemon has emptied the ring and 10 ms
    // passed after the datagram was sent. (A daemon-side retry would close this for good.)
    if (holding_ && outbox_.empty() && chan_->buffer_space() == chan_->write_capacity() &&
        std::chrono::steady_clock::now() >= hold_until_) {
        outbox_.swap(held_);
        holding_ = false;
    }
    if (outbox_.empty())
        return;
    auto n = chan_->write(outbox_.data(), outbox_.size());
    if (!n) {
        closed_ = true;
        return;
    }
    outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<long>(*n));
}

void Agent::pump()
{
    if (closed_)
        return;
    if (!chan_->process_events()) {
        closed_ = true;
        return;
    }
    auto const st = chan_->state();
    if (st == dom::vchan::State::DISCONNECTED) {
        closed_ = true;
        return;
    }
    if (st != dom::vchan::State::CONNECTED)
        return;
    if (!version_sent_) {
        uint32_t const v = VERSION;
        outbox_.insert(outbox_.begin(), reinterpret_cast<uint8_t const *>(&v),
                       reinterpret_cast<uint8_t const *>(&v) + 4);
        version_sent_ = true;
    }
    flush();
    uint8_t buf[65536];
    while (!closed_ && chan_->data_ready() > 0) {
        auto n = chan_->read(buf, sizeof buf);
        if (!n) {
            closed_ = true;
            return;
        }
        if (!ready_) {
            pending_.insert(pending_.end(), buf, buf + *n);
            if (pending_.size() < 4 + sizeof(Xconf))
                continue;
            uint32_t negotiated = 0;
            Xconf xc{};
            std::memcpy(&negotiated, pending_.data(), 4);
            std::memcpy(&xc, pending_.data() + 4, sizeof xc);
            if (negotiated >> 16 != VERSION_MAJOR) {
                std::fprintf(stderr, "ward-gui-agent: the daemon speaks %u.%u\n", negotiated >> 16,
                             negotiated & 0xffff);
                closed_ = true;
                return;
            }
            ready_ = true;
            std::printf("ward-gui-agent: connected, protocol %u.%u, screen %ux%u\n",
                        negotiated >> 16, negotiated & 0xffff, xc.w, xc.h);
            std::fflush(stdout);
            parser_.feed({pending_.data() + 4 + sizeof xc, pending_.size() - 4 - sizeof xc});
            pending_.clear();
            scan();
        } else {
            parser_.feed({buf, *n});
        }
        for (;;) {
            auto m = parser_.next();
            if (!m) {
                std::fprintf(stderr, "ward-gui-agent: the daemon sent a malformed message\n");
                closed_ = true;
                return;
            }
            if (!*m)
                break;
            handle(**m);
        }
    }
}

void Agent::sync_modifiers(uint32_t state)
{
    Window r = 0, c = 0;
    int rx = 0, ry = 0, wx = 0, wy = 0;
    unsigned mask = 0;
    if (!XQueryPointer(dpy_, root_, &r, &c, &rx, &ry, &wx, &wy, &mask))
        return;
    auto changes = x11::modifier_changes(state & x11::MODIFIER_MASK, mask & x11::MODIFIER_MASK);
    if (changes.empty())
        return;
    XModifierKeymap *map = XGetModifierMapping(dpy_);
    if (!map)
        return;
    for (auto const &ch : changes) {
        KeyCode kc = 0;
        for (int k = 0; k < map->max_keypermod && !kc; ++k)
            kc = map->modifiermap[ch.index * map->max_keypermod + k];
        if (!kc)
            continue;
        if (ch.index == 1) { // Lock toggles
            XTestFakeKeyEvent(dpy_, kc, True, CurrentTime);
            XTestFakeKeyEvent(dpy_, kc, False, CurrentTime);
        } else {
            XTestFakeKeyEvent(dpy_, kc, ch.press, CurrentTime);
        }
    }
    XFreeModifiermap(map);
}

void Agent::handle(Message const &m)
{
    Win *w = find(m.window);
    switch (m.type) {
    case Type::KEYPRESS: {
        auto const &k = std::get<Keypress_body>(m.body);
        if (!w || !w->mapped || !x11::valid_keycode(k.keycode) ||
            (k.type != KEY_PRESS && k.type != KEY_RELEASE))
            return;
        sync_modifiers(k.state);
        XTestFakeKeyEvent(dpy_, k.keycode, k.type == KEY_PRESS, CurrentTime);
        break;
    }
    case Type::BUTTON: {
        auto const &b = std::get<Button_body>(m.body);
        if (!w || !w->mapped || !x11::valid_button(b.button) ||
            (b.type != BUTTON_PRESS && b.type != BUTTON_RELEASE))
            return;
        auto const p = x11::to_root(w->geom, b.x, b.y);
        XTestFakeMotionEvent(dpy_, screen_, p.x, p.y, CurrentTime);
        XTestFakeButtonEvent(dpy_, b.button, b.type == BUTTON_PRESS, CurrentTime);
        break;
    }
    case Type::MOTION: {
        auto const &mo = std::get<Motion_body>(m.body);
        if (!w || !w->mapped)
            return;
        auto const p = x11::to_root(w->geom, mo.x, mo.y);
        XTestFakeMotionEvent(dpy_, screen_, p.x, p.y, CurrentTime);
        break;
    }
    case Type::CROSSING: {
        auto const &c = std::get<Crossing_body>(m.body);
        if (!w || !w->mapped || c.type != ENTER_NOTIFY)
            return; // a leave needs nothing: the next enter moves the pointer
        auto const p = x11::to_root(w->geom, c.x, c.y);
        XTestFakeMotionEvent(dpy_, screen_, p.x, p.y, CurrentTime);
        break;
    }
    case Type::FOCUS: {
        auto const &f = std::get<Focus_body>(m.body);
        if (!w || !w->mapped)
            return;
        if (f.type == FOCUS_IN) {
            XRaiseWindow(dpy_, w->xid);
            XSetInputFocus(dpy_, w->xid, RevertToParent, CurrentTime);
        } else if (f.type == FOCUS_OUT) {
            Window cur = 0;
            int revert = 0;
            XGetInputFocus(dpy_, &cur, &revert);
            if (cur == w->xid)
                XSetInputFocus(dpy_, PointerRoot, RevertToPointerRoot, CurrentTime);
        }
        break;
    }
    case Type::KEYMAP_NOTIFY: {
        char keys[32];
        XQueryKeymap(dpy_, keys);
        std::array<uint8_t, 32> held{};
        std::memcpy(held.data(), keys, 32);
        for (uint8_t kc : x11::keys_to_release(held, std::get<Keymap_body>(m.body)))
            XTestFakeKeyEvent(dpy_, kc, False, CurrentTime);
        break;
    }
    case Type::CLOSE: {
        if (!w)
            return;
        Atom *protocols = nullptr;
        int n = 0;
        bool polite = false;
        if (XGetWMProtocols(dpy_, w->xid, &protocols, &n)) {
            polite = std::find(protocols, protocols + n, wm_delete_) != protocols + n;
            XFree(protocols);
        }
        if (polite) {
            XEvent ev{};
            ev.xclient.type = ClientMessage;
            ev.xclient.window = w->xid;
            ev.xclient.message_type = wm_protocols_;
            ev.xclient.format = 32;
            ev.xclient.data.l[0] = static_cast<long>(wm_delete_);
            ev.xclient.data.l[1] = CurrentTime;
            XSendEvent(dpy_, w->xid, False, NoEventMask, &ev);
        } else {
            XKillClient(dpy_, w->xid);
        }
        break;
    }
    case Type::CLIPBOARD_REQ: clipboard_request(); break;
    case Type::CLIPBOARD_DATA: clipboard_set(std::get<Clipboard>(m.body).data); break;
    default: // DESTROY and WINDOW_DUMP acks, CONFIGURE answers: nothing to do
        break;
    }
}

// Secure copy: the daemon asks for the guest's clipboard. Convert CLIPBOARD to UTF8_STRING.
void Agent::clipboard_request()
{
    if (XGetSelectionOwner(dpy_, clipboard_) == None) {
        send(encode_clipboard({}));
        return;
    }
    clip_pending_ = true;
    XConvertSelection(dpy_, clipboard_, utf8_, clip_prop_, own_, CurrentTime);
}

void Agent::clipboard_reply(XSelectionEvent const &e)
{
    if (!clip_pending_ || e.requestor != own_ || e.selection != clipboard_)
        return;
    clip_pending_ = false;
    std::vector<uint8_t> data;
    if (e.property != None) {
        Atom type = 0;
        int format = 0;
        unsigned long n = 0, after = 0;
        unsigned char *p = nullptr;
        // Up to MAX_CLIPBOARD + 1 bytes: one more says "too big" to the daemon.
        if (XGetWindowProperty(dpy_, own_, clip_prop_, 0, (MAX_CLIPBOARD + 4) / 4, True,
                               AnyPropertyType, &type, &format, &n, &after, &p) == Success &&
            p && format == 8)
            data.assign(p, p + std::min<unsigned long>(n, MAX_CLIPBOARD + 1));
        if (p)
            XFree(p);
    }
    send(encode_clipboard(data));
}

// Secure paste: the agent owns CLIPBOARD with what the daemon sent.
void Agent::clipboard_set(std::vector<uint8_t> const &data)
{
    clip_data_.assign(data.begin(), data.end());
    XSetSelectionOwner(dpy_, clipboard_, own_, CurrentTime);
}

void Agent::selection_request(XSelectionRequestEvent const &e)
{
    XSelectionEvent reply{};
    reply.type = SelectionNotify;
    reply.display = dpy_;
    reply.requestor = e.requestor;
    reply.selection = e.selection;
    reply.target = e.target;
    reply.time = e.time;
    reply.property = None;
    Atom const prop = e.property != None ? e.property : e.target;
    if (e.selection == clipboard_ && e.owner == own_) {
        if (e.target == targets_) {
            Atom const t[] = {targets_, utf8_, XA_STRING};
            XChangeProperty(dpy_, e.requestor, prop, XA_ATOM, 32, PropModeReplace,
                            reinterpret_cast<unsigned char const *>(t), 3);
            reply.property = prop;
        } else if (e.target == utf8_ || e.target == XA_STRING) {
            XChangeProperty(dpy_, e.requestor, prop, e.target, 8, PropModeReplace,
                            reinterpret_cast<unsigned char const *>(clip_data_.data()),
                            static_cast<int>(clip_data_.size()));
            reply.property = prop;
        }
    }
    XSendEvent(dpy_, e.requestor, False, NoEventMask, reinterpret_cast<XEvent *>(&reply));
}

volatile std::sig_atomic_t g_stop = 0;

int Agent::run()
{
    while (!g_stop && !closed_) {
        pump();
        while (XPending(dpy_)) {
            XEvent e;
            XNextEvent(dpy_, &e);
            handle_x(e);
        }
        if (ready_)
            for (auto &[xid, w] : wins_)
                copy_dirty(w);
        flush();
        XFlush(dpy_);
        pollfd fds[2] = {{ConnectionNumber(dpy_), POLLIN, 0}, {chan_->fd(), POLLIN, 0}};
        int const timeout = outbox_.empty() && !holding_ ? 200 : 2;
        if (::poll(fds, 2, timeout) < 0 && errno != EINTR)
            break;
    }
    if (closed_) {
        std::printf("ward-gui-agent: the daemon closed the channel\n");
        std::fflush(stdout);
    }
    return 0;
}

void on_signal(int)
{
    g_stop = 1;
}

int usage()
{
    std::fprintf(stderr, "usage: ward-gui-agent --vchan-dir DIR --domid N [--display :N]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    std::setlocale(LC_ALL, "");
    std::string dir, display;
    long domid = -1;
    for (int i = 1; i < argc; ++i) {
        std::string const a = argv[i];
        if (i + 1 >= argc)
            return usage();
        if (a == "--vchan-dir")
            dir = argv[++i];
        else if (a == "--domid")
            domid = std::strtol(argv[++i], nullptr, 10);
        else if (a == "--display")
            display = argv[++i];
        else
            return usage();
    }
    if (dir.empty() || domid < 0 || domid > 0x7fef)
        return usage();
    Display *dpy = XOpenDisplay(display.empty() ? nullptr : display.c_str());
    if (!dpy) {
        std::fprintf(stderr, "ward-gui-agent: cannot open display %s\n",
                     display.empty() ? (std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "")
                                     : display.c_str());
        return 1;
    }
    XSetErrorHandler(on_x_error);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    dom::vchan::Endpoint const ep{dir, static_cast<unsigned>(domid), 0, VCHAN_PORT};
    // 256 KiB towards the daemon (damage, clipboard), 64 KiB back.
    auto chan = dom::vchan::Vchan::server_init(ep, 65536, 262144);
    if (!chan) {
        std::fprintf(stderr, "ward-gui-agent: vchan %s: %s\n", ep.socket_path().c_str(),
                     dom::vchan::to_string(chan.error()));
        XCloseDisplay(dpy);
        return 1;
    }
    int rc = 1;
    {
        Agent agent{dpy, std::move(*chan)};
        if (agent.init())
            rc = agent.run();
    }
    XCloseDisplay(dpy);
    return rc;
}
