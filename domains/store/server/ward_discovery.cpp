// SPDX-License-Identifier: MIT
#include "ward_discovery.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>

#include "ward/abi/xen.h"
#include "ward/store/wire.hpp"

namespace dom::store
{

namespace
{
constexpr uint32_t VIRQ_DOM_EXC = 3;
constexpr uint64_t HYPERCALL_DOMCTL = 36;
} // namespace

xendev::Result<std::vector<Served_domain>> list_served_domains(xendev::Privcmd &privcmd)
{
    std::vector<Served_domain> out;
    uint32_t from = 1;
    while (from < 0x7ff0) {
        ward_domctl dc{};
        dc.cmd = WARD_DOMCTL_STORE_INFO;
        dc.interface_version = WARD_DOMCTL_INTERFACE_VERSION;
        dc.domain = static_cast<uint16_t>(from);
        int64_t const r =
            HV_TRY(privcmd.hypercall(HYPERCALL_DOMCTL, reinterpret_cast<uintptr_t>(&dc)));
        if (r == -WARD_ESRCH)
            break;
        if (r != 0)
            return hv::unexpected("WARD_DOMCTL_STORE_INFO: error " + std::to_string(r));
        ward_store_info const &s = dc.u.store;
        if (s.domid < from) // Ward answers with an id >= the one asked for
            return hv::unexpected(std::string{"WARD_DOMCTL_STORE_INFO: domain id went back"});
        Served_domain d;
        d.domid = s.domid;
        d.port = s.port;
        d.pfn = s.pfn;
        d.name.assign(s.name, strnlen(s.name, sizeof s.name));
        out.push_back(std::move(d));
        from = s.domid + 1u;
    }
    return out;
}

xendev::Result<std::unique_ptr<Ward_discovery>> Ward_discovery::create(std::string socket_path,
                                                                       std::vector<Vtpm_link> vtpm)
{
    auto p = HV_TRY(xendev::Privcmd::open());
    auto e = HV_TRY(xendev::Evtchn::open());
    HV_TRY(e.bind_virq(VIRQ_DOM_EXC));
    auto d = std::unique_ptr<Ward_discovery>{
        new Ward_discovery{std::move(p), std::move(e), std::move(socket_path)}};
    d->vtpm_links_ = std::move(vtpm);
    return d;
}

// The toolstack half of the tpmif handshake (docs/vtpm.md §7 step 1), as Xen's libxl lays it
// out: the backend's directory owned by the backend and readable by the frontend, the
// frontend's owned by the frontend and readable by the backend. New nodes inherit their
// parent's permissions, so each directory gets its permissions before its children.
bool Ward_discovery::make_vtpm_device(Served_domain const &front, Served_domain const &back)
{
    std::string const f = std::to_string(front.domid), b = std::to_string(back.domid);
    std::string const be = "/local/domain/" + b + "/backend/vtpm/" + f + "/0";
    std::string const fe = "/local/domain/" + f + "/device/vtpm/0";
    bool ok = client_.mkdir(be) && client_.set_perms(be, {"n" + b, "r" + f}) &&
              client_.write(be + "/frontend", fe) && client_.write(be + "/frontend-id", f) &&
              client_.write(be + "/frontend-name", front.name) &&
              client_.write(be + "/online", "1") && client_.write(be + "/state", "1");
    ok = ok && client_.mkdir(fe) && client_.set_perms(fe, {"n" + f, "r" + b}) &&
         client_.write(fe + "/backend", be) && client_.write(fe + "/backend-id", b) &&
         client_.write(fe + "/state", "1");
    std::fprintf(stderr, "wardstore: vtpm device 0 of domain %u '%s' served by domain %u '%s'%s\n",
                 front.domid, front.name.c_str(), back.domid, back.name.c_str(),
                 ok ? "" : ": its nodes could not be made");
    return ok;
}

void Ward_discovery::make_vtpm_devices()
{
    auto const find = [&](std::string const &name) -> Served_domain const * {
        for (auto const &[_, d] : known_)
            if (d.name == name)
                return &d;
        return nullptr;
    };
    for (auto const &l : vtpm_links_) {
        Served_domain const *f = find(l.frontend), *b = find(l.backend);
        if (!f || !b)
            continue;
        std::pair const key{f->domid, b->domid};
        if (std::find(vtpm_made_.begin(), vtpm_made_.end(), key) != vtpm_made_.end())
            continue;
        if (make_vtpm_device(*f, *b))
            vtpm_made_.push_back(key);
    }
}

Ward_discovery::Ward_discovery(xendev::Privcmd p, xendev::Evtchn e, std::string socket_path)
    : privcmd_{std::move(p)}, dom_exc_{std::move(e)}, client_{std::move(socket_path)}
{}

bool Ward_discovery::introduce(Served_domain const &d)
{
    std::string const id = std::to_string(d.domid);
    // The domain's home first, as Xen's toolstack lays it out before XS_INTRODUCE (the guest's
    // xenbus writes control/feature-* as soon as its ring is served): owned by the store,
    // readable by the domain; data/ and control/ its own; cpu/0/availability for its one vCPU.
    std::string const home = "/local/domain/" + id;
    bool ok = client_.mkdir(home) && client_.set_perms(home, {"n0", "r" + id}) &&
              client_.write(home + "/name", d.name) && client_.write(home + "/domid", id) &&
              client_.write(home + "/cpu/0/availability", "online");
    for (char const *sub : {"/data", "/control"})
        ok = ok && client_.mkdir(home + sub) && client_.set_perms(home + sub, {"n" + id});
    std::string payload = id;
    payload += '\0';
    payload += std::to_string(d.pfn);
    payload += '\0';
    payload += std::to_string(d.port);
    payload += '\0';
    auto const r = client_.request(static_cast<uint32_t>(Msg::INTRODUCE), payload);
    if (!r) {
        std::fprintf(stderr, "wardstore: introduce of domain %u '%s' failed: %s\n", d.domid,
                     d.name.c_str(), r.error().name.c_str());
        (void)client_.rm(home);
        return false;
    }
    std::fprintf(stderr, "wardstore: introduced domain %u '%s' (ring gfn 0x%llx, port %u)%s\n",
                 d.domid, d.name.c_str(), static_cast<unsigned long long>(d.pfn), d.port,
                 ok ? "" : "; its home could not be made");
    return true;
}

void Ward_discovery::release(uint32_t domid)
{
    std::string payload = std::to_string(domid);
    payload += '\0';
    auto const r = client_.request(static_cast<uint32_t>(Msg::RELEASE), payload);
    (void)client_.rm("/local/domain/" + std::to_string(domid));
    // A vTPM device whose other end ended: remove the survivor's side, so its driver or
    // backend sees the device go.
    for (auto it = vtpm_made_.begin(); it != vtpm_made_.end();) {
        auto const [f, b] = *it;
        if (f == domid)
            (void)client_.rm("/local/domain/" + std::to_string(b) + "/backend/vtpm/" +
                             std::to_string(f));
        else if (b == domid)
            (void)client_.rm("/local/domain/" + std::to_string(f) + "/device/vtpm/0");
        it = (f == domid || b == domid) ? vtpm_made_.erase(it) : it + 1;
    }
    std::fprintf(stderr, "wardstore: released domain %u%s%s\n", domid, r ? "" : ": ",
                 r ? "" : r.error().name.c_str());
}

size_t Ward_discovery::sync()
{
    auto const now = list_served_domains(privcmd_);
    if (!now) {
        std::fprintf(stderr, "wardstore: %s\n", now.error().c_str());
        return 0;
    }
    size_t changes = 0;
    std::map<uint32_t, Served_domain> seen;
    for (Served_domain const &d : *now)
        seen[d.domid] = d;
    for (auto it = known_.begin(); it != known_.end();) {
        auto const s = seen.find(it->first);
        if (s == seen.end() || !(s->second == it->second)) { // gone, or a new domain in its slot
            release(it->first);
            it = known_.erase(it);
            ++changes;
        } else {
            ++it;
        }
    }
    for (auto const &[domid, d] : seen)
        if (!known_.contains(domid) && introduce(d)) {
            known_[domid] = d;
            ++changes;
        }
    make_vtpm_devices();
    return changes;
}

void Ward_discovery::run(std::atomic<bool> const &stop, int stop_fd)
{
    while (!stop.load()) {
        (void)dom_exc_.consume(); // before the list: an event after it means a new look
        sync();
        pollfd fds[2] = {{dom_exc_.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
        }
    }
}

} // namespace dom::store
