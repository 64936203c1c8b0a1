// SPDX-License-Identifier: MIT
#include "backend.hpp"

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <poll.h>
#include <vector>

#include "vtpm/tpmif.hpp"
#include "vtpm/tpmif_backend.hpp"
#include "ward/xendev/devices.hpp"
#include "ward/xendev/xenstore.hpp"

namespace dom::vtpm::backend
{

namespace
{

constexpr char const *DEVICES = "backend/vtpm";

struct Device
{
    std::uint32_t frontend_id{0};
    std::uint32_t devid{0};
    std::string home;          // backend/vtpm/<F>/<dev> (relative to this domain's home)
    std::string frontend_path; // /local/domain/<F>/device/vtpm/<dev>
    bool ours{false};          // the configured frontend; others are refused once
    Backend_phase phase{Backend_phase::CLOSED};
    std::optional<xendev::Gntdev::Mapping> page;
    std::unique_ptr<xendev::Evtchn> channel;
    unsigned long served{0}, failed{0};
};

std::string tpm_code(Bytes const &b)
{
    if (b.size() < 10)
        return "?";
    unsigned const v = static_cast<unsigned>(b[6]) << 24 | static_cast<unsigned>(b[7]) << 16 |
                       static_cast<unsigned>(b[8]) << 8 | b[9];
    char s[16];
    std::snprintf(s, sizeof s, "0x%x", v);
    return s;
}

class Backend
{
  public:
    Backend(Backend_config cfg, xendev::Xenstore xs, xendev::Gntdev gnt)
        : cfg_{std::move(cfg)}, xs_{std::move(xs)}, gnt_{std::move(gnt)}
    {}
    int run();

  private:
    void rescan();
    void adopt(std::uint32_t f, std::uint32_t dev);
    void step(Device &d);
    void connect(Device &d, std::uint32_t ref, std::uint32_t port);
    void disconnect(Device &d);
    void set_state(Device &d, Xenbus_state s);
    void serve(Device &d);
    void drop(Device &d);

    Backend_config cfg_;
    xendev::Xenstore xs_;
    xendev::Gntdev gnt_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, Device> devices_;
};

void Backend::set_state(Device &d, Xenbus_state s)
{
    if (auto const w = xs_.write(d.home + "/state", std::to_string(static_cast<unsigned>(s))); !w)
        std::printf("ward-vtpm-backend: domain %u device %u: %s\n", d.frontend_id, d.devid,
                    w.error().c_str());
}

// A device directory the toolstack made: check it names the configured frontend, then offer
// tpmif v2 and wait for the frontend.
void Backend::adopt(std::uint32_t f, std::uint32_t dev)
{
    Device d;
    d.frontend_id = f;
    d.devid = dev;
    d.home = std::string(DEVICES) + "/" + std::to_string(f) + "/" + std::to_string(dev);
    d.frontend_path = "/local/domain/" + std::to_string(f) + "/device/vtpm/" + std::to_string(dev);
    auto const name = xs_.read(d.home + "/frontend-name");
    auto const fpath = xs_.read(d.home + "/frontend");
    auto const fid = xs_.read(d.home + "/frontend-id");
    std::string why;
    if (!name)
        why = "the toolstack wrote no frontend-name";
    else if (*name != cfg_.frontend_name)
        why = "domain '" + *name + "' is not the domain this vTPM serves ('" + cfg_.frontend_name +
              "')";
    else if (!fpath || *fpath != d.frontend_path || !fid || parse_xs_unsigned(*fid) != f)
        why = "frontend/frontend-id do not name domain " + std::to_string(f);
    if (!why.empty()) {
        std::printf("ward-vtpm-backend: domain %u device %u refused: %s\n", f, dev, why.c_str());
        d.phase = Backend_phase::REFUSED;
        set_state(d, Xenbus_state::CLOSED);
        devices_.emplace(std::pair{f, dev}, std::move(d));
        return;
    }
    d.ours = true;
    d.phase = Backend_phase::WAITING;
    auto ok = xs_.write(d.home + "/feature-protocol-v2", "1");
    if (ok)
        ok = xs_.watch(d.frontend_path, "fe");
    if (!ok)
        std::printf("ward-vtpm-backend: domain %u device %u: %s\n", f, dev, ok.error().c_str());
    set_state(d, Xenbus_state::INIT_WAIT);
    std::printf("ward-vtpm-backend: domain %u '%s' device %u: InitWait, serving instance %s\n", f,
                cfg_.frontend_name.c_str(), dev, cfg_.endpoint.uuid.c_str());
    auto &slot = devices_.emplace(std::pair{f, dev}, std::move(d)).first->second;
    step(slot);
}

void Backend::rescan()
{
    std::map<std::pair<std::uint32_t, std::uint32_t>, bool> listed;
    auto const fronts = xs_.directory(DEVICES);
    if (fronts)
        for (auto const &fs : *fronts) {
            auto const f = parse_xs_unsigned(fs, 0x7fef);
            if (!f)
                continue;
            auto const devs = xs_.directory(std::string(DEVICES) + "/" + fs);
            if (!devs)
                continue;
            for (auto const &ds : *devs)
                if (auto const dev = parse_xs_unsigned(ds, 0xffff))
                    listed[std::pair{*f, *dev}] = true;
        }
    for (auto it = devices_.begin(); it != devices_.end();) {
        if (!listed.contains(it->first)) { // the toolstack removed the device
            std::printf("ward-vtpm-backend: domain %u device %u removed by the toolstack\n",
                        it->second.frontend_id, it->second.devid);
            drop(it->second);
            it = devices_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto const &[key, _] : listed)
        if (!devices_.contains(key))
            adopt(key.first, key.second);
    for (auto &[_, d] : devices_)
        if (d.ours)
            step(d);
}

void Backend::step(Device &d)
{
    Frontend_nodes f;
    auto const rd = [&](char const *key) -> std::optional<std::string> {
        auto r = xs_.read(d.frontend_path + "/" + key);
        return r ? std::optional<std::string>{std::move(*r)} : std::nullopt;
    };
    f.state = rd("state");
    if (f.state && d.phase == Backend_phase::WAITING) {
        f.ring_ref = rd("ring-ref");
        f.event_channel = rd("event-channel");
        f.feature_protocol_v2 = rd("feature-protocol-v2");
    }
    auto const dec = tpmif_backend_decide(d.phase, f);
    switch (dec.action) {
    case Backend_action::STAY:
        if (!dec.reason.empty())
            std::printf("ward-vtpm-backend: domain %u device %u: %s\n", d.frontend_id, d.devid,
                        dec.reason.c_str());
        return;
    case Backend_action::CONNECT: connect(d, dec.ring_ref, dec.port); return;
    case Backend_action::REFUSE:
        std::printf("ward-vtpm-backend: domain %u device %u refused: %s\n", d.frontend_id, d.devid,
                    dec.reason.c_str());
        d.phase = Backend_phase::REFUSED;
        set_state(d, Xenbus_state::CLOSED);
        return;
    case Backend_action::CLOSE:
        std::printf("ward-vtpm-backend: domain %u device %u closing: %s (%lu commands served, "
                    "%lu failed)\n",
                    d.frontend_id, d.devid, dec.reason.c_str(), d.served, d.failed);
        disconnect(d);
        d.phase = Backend_phase::CLOSED;
        set_state(d, Xenbus_state::CLOSED);
        return;
    case Backend_action::RESTART:
        std::printf("ward-vtpm-backend: domain %u device %u: frontend starts over\n", d.frontend_id,
                    d.devid);
        d.phase = Backend_phase::WAITING;
        set_state(d, Xenbus_state::INIT_WAIT);
        step(d); // the frontend may already be Initialised: connect now (WAITING never restarts)
        return;
    }
}

void Backend::connect(Device &d, std::uint32_t ref, std::uint32_t port)
{
    auto const fail = [&](std::string const &why) {
        std::printf("ward-vtpm-backend: domain %u device %u refused: %s\n", d.frontend_id, d.devid,
                    why.c_str());
        disconnect(d);
        d.phase = Backend_phase::REFUSED;
        set_state(d, Xenbus_state::CLOSED);
    };
    auto m = gnt_.map(d.frontend_id, ref);
    if (!m)
        return fail("ring-ref " + std::to_string(ref) + " does not map: " + m.error());
    d.page = *m;
    auto ch = xendev::Evtchn::open();
    if (!ch)
        return fail(ch.error());
    auto const local = ch->bind_interdomain(d.frontend_id, port);
    if (!local)
        return fail("event-channel " + std::to_string(port) + " does not bind: " + local.error());
    d.channel = std::make_unique<xendev::Evtchn>(std::move(*ch));
    d.phase = Backend_phase::CONNECTED;
    set_state(d, Xenbus_state::CONNECTED);
    std::printf("ward-vtpm-backend: domain %u '%s' device %u: Connected (ring-ref %u mapped, "
                "port %u bound to local port %u)\n",
                d.frontend_id, cfg_.frontend_name.c_str(), d.devid, ref, port, *local);
    serve(d); // a request written before the page was mapped
}

void Backend::disconnect(Device &d)
{
    d.channel.reset(); // closing the fd unbinds the port
    if (d.page) {
        gnt_.unmap(*d.page);
        d.page.reset();
    }
}

void Backend::drop(Device &d)
{
    disconnect(d);
    if (d.ours)
        (void)xs_.unwatch(d.frontend_path, "fe");
}

void Backend::serve(Device &d)
{
    if (!d.page || !d.channel)
        return;
    std::span<std::uint8_t> const page{static_cast<std::uint8_t *>(d.page->addr), TPMIF_PAGE};
    std::span<std::uint8_t> const pages[1] = {page};
    Bytes last;
    auto const forward = [&](Tpmif_request const &r) -> Result<Bytes> {
        auto resp = forward_command(cfg_.endpoint, r.command);
        if (resp)
            last = *resp;
        return resp;
    };
    auto const r = tpmif_serve(Tpmif_pages{pages}, forward);
    if (!r)
        return;
    if (r->outcome == Tpmif_outcome::NOTHING)
        return;
    if (r->outcome == Tpmif_outcome::SERVED) {
        ++d.served;
        if (cfg_.verbose || d.served <= 3)
            std::printf("ward-vtpm-backend: domain %u: command %lu answered by the vTPM (rc %s)\n",
                        d.frontend_id, d.served, tpm_code(last).c_str());
    } else if (r->outcome == Tpmif_outcome::FAILED) {
        ++d.failed;
        if (cfg_.verbose || d.failed <= 3)
            std::printf("ward-vtpm-backend: domain %u: request answered with TPM_RC_FAILURE: %s\n",
                        d.frontend_id, r->problem.message.c_str());
    }
    if (auto const n = d.channel->notify(); !n)
        std::printf("ward-vtpm-backend: domain %u: notify: %s\n", d.frontend_id, n.error().c_str());
}

int Backend::run()
{
    if (auto const w = xs_.watch(DEVICES, "be"); !w) {
        std::printf("ward-vtpm-backend: %s\n", w.error().c_str());
        return 1;
    }
    std::printf("ward-vtpm-backend: serving '%s' with instance %s (port %u)\n",
                cfg_.frontend_name.c_str(), cfg_.endpoint.uuid.c_str(), cfg_.endpoint.port);
    std::fflush(stdout);
    rescan();
    for (;;) {
        // Watch events that arrived while a request waited for its reply are already read from
        // the device: poll would not report them, so they are handled first.
        if (!xs_.take_events().empty()) {
            rescan();
            continue;
        }
        std::fflush(stdout);
        std::vector<pollfd> fds{{xs_.fd(), POLLIN, 0}};
        std::vector<Device *> owners{nullptr};
        for (auto &[_, d] : devices_)
            if (d.channel) {
                fds.push_back({d.channel->fd(), POLLIN, 0});
                owners.push_back(&d);
            }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            std::perror("ward-vtpm-backend: poll");
            return 1;
        }
        for (std::size_t i = 1; i < fds.size(); ++i)
            if (fds[i].revents & POLLIN) {
                owners[i]->channel->consume(); // reads the fired port and unmasks it
                serve(*owners[i]);
            }
        if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
            if (auto const p = xs_.pump(); !p) {
                std::printf("ward-vtpm-backend: %s\n", p.error().c_str());
                return 1;
            }
            if (!xs_.take_events().empty())
                rescan();
        }
    }
}

} // namespace

int run_backend(Backend_config const &cfg)
{
    auto xs = xendev::Xenstore::open();
    if (!xs) {
        std::printf("ward-vtpm-backend: %s\n", xs.error().c_str());
        return 1;
    }
    auto gnt = xendev::Gntdev::open();
    if (!gnt) {
        std::printf("ward-vtpm-backend: %s\n", gnt.error().c_str());
        return 1;
    }
    Backend b{cfg, std::move(*xs), std::move(*gnt)};
    return b.run();
}

} // namespace dom::vtpm::backend
