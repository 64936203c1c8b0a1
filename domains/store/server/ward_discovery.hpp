// SPDX-License-Identifier: MIT
// The store domain's view of Ward's domains (docs/store-domain.md): lists the domains whose
// xenstore ring this domain serves with WARD_DOMCTL_STORE_INFO (a hypercall through
// /dev/xen/privcmd; Ward checks the store capability), introduces new ones to wardstore (and
// gives each its home /local/domain/<id>, as Xen's toolstack does) and releases those that
// ended. It runs again each time VIRQ_DOM_EXC fires. It talks to wardstore as a privileged
// local client over the Unix socket, like any toolstack.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vtpm_links.hpp"
#include "ward/store/client.hpp"
#include "ward/xendev/devices.hpp"

namespace dom::store
{

struct Served_domain
{
    uint32_t domid = 0;
    uint32_t port = 0;
    uint64_t pfn = 0;
    std::string name;
    bool operator==(Served_domain const &) const = default;
};

// The list Ward gives this domain right now.
xendev::Result<std::vector<Served_domain>> list_served_domains(xendev::Privcmd &privcmd);

class Ward_discovery
{
  public:
    static xendev::Result<std::unique_ptr<Ward_discovery>> create(std::string socket_path,
                                                                  std::vector<Vtpm_link> vtpm = {});

    // Introduces/releases until `stop` is set and stop_fd becomes readable.
    void run(std::atomic<bool> const &stop, int stop_fd);
    // One pass: list, introduce the new, release the gone. Returns the number of changes.
    size_t sync();

  private:
    Ward_discovery(xendev::Privcmd p, xendev::Evtchn e, std::string socket_path);
    bool introduce(Served_domain const &d);
    void release(uint32_t domid);
    void make_vtpm_devices();
    bool make_vtpm_device(Served_domain const &front, Served_domain const &back);

    xendev::Privcmd privcmd_;
    xendev::Evtchn dom_exc_;
    ward::store::Client client_;
    std::map<uint32_t, Served_domain> known_;
    std::vector<Vtpm_link> vtpm_links_;
    std::vector<std::pair<uint32_t, uint32_t>> vtpm_made_; // (frontend, backend) domids
};

} // namespace dom::store
