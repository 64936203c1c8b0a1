// SPDX-License-Identifier: MIT
// ACM hooks; see acm_hooks.hpp.
#include "kernel/acm_hooks.hpp"

#include <array>

#include "arch/x86_64/paging.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/running_types.hpp"
#include "kernel/channels.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

constexpr size_t POLICY_MAX = 64 * 1024;
constexpr size_t MAX_CW = 256;

alignas(8) std::array<std::byte, POLICY_MAX> policy_bytes[2]; // in force, and a reload's
unsigned policy_slot = 0;
acm::Guard guard;
std::array<acm::Cache_slot, 64> cache_slots{};
acm::Decision_cache cache{cache_slots};
std::array<uint32_t, MAX_CW> cw_counts{};
std::optional<acm::Running_types> running;

bool token_equals(std::span<char const> cmdline, char const *want)
{
    size_t i = 0;
    while (i < cmdline.size()) {
        while (i < cmdline.size() && cmdline[i] == ' ')
            ++i;
        size_t const start = i;
        while (i < cmdline.size() && cmdline[i] != ' ')
            ++i;
        size_t n = 0;
        while (want[n] != '\0')
            ++n;
        if (i - start == n) {
            bool same = true;
            for (size_t k = 0; k < n; ++k)
                same = same && cmdline[start + k] == want[k];
            if (same)
                return true;
        }
        if (i - start == 2 && cmdline[start] == '-' && cmdline[start + 1] == '-')
            return false; // the guest's own command line follows
    }
    return false;
}

struct Name_text
{
    char text[48];
    explicit Name_text(acm::Name n)
    {
        size_t i = 0;
        for (; i < n.size && i + 1 < sizeof text; ++i)
            text[i] = n.data[i];
        text[i] = '\0';
    }
};

std::optional<uint32_t> find_label(Domain_label const &l)
{
    return guard.policy().find_label(acm::Name{l.c_str(), static_cast<uint32_t>(l.length)});
}

bool install(std::span<std::byte const> src, bool reload)
{
    if (src.size() > POLICY_MAX) {
        log("ward: acm: policy of %zu bytes refused (at most %zu)\n", src.size(), POLICY_MAX);
        return false;
    }
    unsigned const slot = guard.loaded() ? 1 - policy_slot : policy_slot;
    for (size_t i = 0; i < src.size(); ++i)
        policy_bytes[slot][i] = src[i];
    std::span<std::byte const> const bytes{policy_bytes[slot].data(), src.size()};
    if (!reload || !guard.loaded()) {
        if (auto const r = guard.load(bytes); !r) {
            log("ward: acm: policy refused: %s\n", acm::describe(r.error()));
            return false;
        }
    } else {
        std::array<uint32_t, MAX_DOMAINS> labels{};
        for (size_t i = 0; i < MAX_DOMAINS; ++i)
            labels[i] = domains()[i].alive() ? channels(domains()[i]).acm_label : acm::NO_LABEL;
        auto const r = guard.reload(bytes, labels);
        if (!r) {
            log("ward: acm: new policy refused: %s\n", acm::describe(r.error()));
            return false;
        }
        for (size_t i = 0; i < MAX_DOMAINS; ++i)
            if (domains()[i].alive())
                channels(domains()[i]).acm_label = labels[i];
        log("ward: acm: policy reloaded (generation %llu); %u running domain(s) lost their "
            "label\n",
            static_cast<unsigned long long>(guard.generation()), *r);
    }
    policy_slot = slot;
    auto rt = acm::Running_types::create(guard.policy(), cw_counts);
    if (!rt) {
        log("ward: acm: policy has more Chinese Wall types than Ward tracks (%zu)\n", MAX_CW);
        running.reset();
        return true;
    }
    running.emplace(*rt);
    for (Domain const &d : domains())
        if (d.alive() && channels(d).acm_label != acm::NO_LABEL)
            (void)running->add_running(channels(d).acm_label);
    return true;
}

} // namespace

bool is_policy_module(std::span<char const> cmdline)
{
    return token_equals(cmdline, "type=policy");
}

void acm_init(mb2::Info const &info)
{
    for (size_t i = 0; i < info.module_count(); ++i) {
        mb2::Module const m = info.module(i);
        if (!is_policy_module(m.cmdline))
            continue;
        if (m.end <= m.start) {
            log("ward: acm: empty policy module refused\n");
            break;
        }
        std::span<std::byte const> const src{x86::phys_to_virt<std::byte const>(m.start),
                                             m.end - m.start};
        if (install(src, false)) {
            Name_text const name{guard.policy().name()};
            log("ward: acm: policy '%s' in force (%u labels)\n", name.text,
                guard.policy().label_count());
        }
        break;
    }
    if (!guard.loaded())
        log("ward: acm: no policy module; built-in policy: only equal labels may share\n");
}

bool acm_reload(std::span<std::byte const> bytes)
{
    return install(bytes, true);
}

bool acm_admit(Domain const &d, uint32_t &label_index)
{
    label_index = acm::NO_LABEL;
    if (!guard.loaded())
        return true;
    auto const l = find_label(d.label);
    if (!l) {
        log("ward: acm: domain %u '%s' refused: label '%s' is not in the policy\n", d.id,
            d.name.c_str(), d.label.c_str());
        return false;
    }
    if (running) {
        acm::Decision const dec = running->start(*l);
        if (!dec.allow) {
            char const *other = "?";
            for (Domain const &o : domains()) {
                if (&o == &d || !o.alive() || channels(o).acm_label == acm::NO_LABEL)
                    continue;
                if (!acm::decide_coexist(guard.policy(), *l, channels(o).acm_label).allow) {
                    other = o.label.c_str();
                    break;
                }
            }
            Name_text const set{dec.set != acm::NO_INDEX ? guard.policy().conflict_set_name(dec.set)
                                                         : acm::Name{"-", 1}};
            log("ward: acm: domain %u '%s' (label %s) refused: Chinese Wall conflict with a "
                "running domain labelled %s (conflict set %s)\n",
                d.id, d.name.c_str(), d.label.c_str(), other, set.text);
            return false;
        }
    }
    label_index = *l;
    return true;
}

void acm_release(Domain const &, uint32_t label_index)
{
    if (guard.loaded() && running && label_index != acm::NO_LABEL)
        (void)running->stop(label_index);
}

bool acm_share(Domain const &a, Domain const &b, char const *what)
{
    bool allow;
    char const *why;
    if (!guard.loaded()) {
        allow = a.label == b.label;
        why = allow ? "equal labels (built-in policy)" : "different labels (built-in policy)";
    } else {
        acm::Decision const dec = guard.share(cache, channels(a).acm_label, channels(b).acm_label);
        allow = dec.allow;
        why = acm::describe(dec.reason);
    }
    if (!allow)
        log("ward: acm: denied %s between domain %u '%s' (label %s) and domain %u '%s' (label "
            "%s): %s\n",
            what, a.id, a.name.c_str(), a.label.c_str(), b.id, b.name.c_str(), b.label.c_str(),
            why);
    return allow;
}

uint64_t acm_generation()
{
    return guard.generation();
}

} // namespace hv::kernel
