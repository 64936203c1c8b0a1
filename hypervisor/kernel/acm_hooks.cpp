// SPDX-License-Identifier: MIT
// ACM hooks; see acm_hooks.hpp.
#include "kernel/acm_hooks.hpp"

#include <array>

#include "arch/x86_64/paging.hpp"
#include "hv/acm/guard.hpp"
#include "hv/acm/revocation.hpp"
#include "hv/acm/running_types.hpp"
#include "kernel/channels.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

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

acm::Name name_of(Domain_label const &l)
{
    return acm::Name{l.c_str(), static_cast<uint32_t>(l.length)};
}

// Copies a policy into the slot not in force and verifies it there.
Result<acm::Policy_view, Reload_error> stage(std::span<std::byte const> src, unsigned &slot)
{
    if (src.size() > POLICY_MAX) {
        log("ward: acm: policy of %zu bytes refused (at most %zu)\n", src.size(), POLICY_MAX);
        return unexpected(Reload_error::TOO_BIG);
    }
    slot = guard.loaded() ? 1 - policy_slot : policy_slot;
    for (size_t i = 0; i < src.size(); ++i)
        policy_bytes[slot][i] = src[i];
    auto const v = acm::Policy_view::load({policy_bytes[slot].data(), src.size()});
    if (!v) {
        log("ward: acm: policy refused: %s\n", acm::describe(v.error()));
        return unexpected(Reload_error::INVALID);
    }
    return *v;
}

// The Chinese Wall counts of the running domains under the policy in force.
void rebuild_running()
{
    cw_counts.fill(0);
    auto rt = acm::Running_types::create(guard.policy(), cw_counts);
    if (!rt) {
        log("ward: acm: policy has more Chinese Wall types than Ward tracks (%zu)\n", MAX_CW);
        running.reset();
        return;
    }
    running.emplace(*rt);
    for (Domain const &d : domains())
        if (d.alive() && channels(d).acm_label != acm::NO_LABEL)
            (void)running->add_running(channels(d).acm_label);
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
        unsigned slot = 0;
        if (auto const v = stage(src, slot); v) {
            guard.replace(*v);
            policy_slot = slot;
            rebuild_running();
            Name_text const name{guard.policy().name()};
            log("ward: acm: policy '%s' in force (%u labels)\n", name.text,
                guard.policy().label_count());
        }
        break;
    }
    if (!guard.loaded())
        log("ward: acm: no policy module; built-in policy: only equal labels may share\n");
}

Result<Reload_report, Reload_error> acm_reload(std::span<std::byte const> bytes, Domain const *by)
{
    Name_text const old_name{guard.loaded() ? guard.policy().name() : acm::Name{"built-in", 8}};
    unsigned slot = 0;
    auto const staged = stage(bytes, slot);
    if (!staged) {
        log("ward: acm: reload by domain %u refused; policy '%s' stays in force\n",
            by != nullptr ? by->id : 0, old_name.text);
        return unexpected(staged.error());
    }
    acm::Policy_view const &next = *staged;
    // Every running domain's label in the new policy, before anything changes.
    std::array<uint32_t, MAX_DOMAINS> labels{};
    acm::Policy_view const *from = guard.loaded() ? &guard.policy() : nullptr;
    for (size_t i = 0; i < MAX_DOMAINS; ++i) {
        Domain const &d = domains()[i];
        labels[i] = d.alive() ? acm::relabel(from, channels(d).acm_label, name_of(d.label), next)
                              : acm::NO_LABEL;
    }
    if (auto const c = acm::first_wall_conflict(next, labels); c) {
        Domain const &a = domains()[c->first];
        Domain const &b = domains()[c->second];
        Name_text const set{next.conflict_set_name(c->decision.set)};
        log("ward: acm: reload by domain %u refused: domain %u '%s' (label %s) and domain %u "
            "'%s' (label %s) run together but conflict in set %s; policy '%s' stays in force\n",
            by != nullptr ? by->id : 0, a.id, a.name.c_str(), a.label.c_str(), b.id, b.name.c_str(),
            b.label.c_str(), set.text, old_name.text);
        return unexpected(Reload_error::WALL_CONFLICT);
    }
    // The switch: nothing below can fail.
    guard.replace(next);
    policy_slot = slot;
    cache.clear();
    Reload_report report{};
    for (size_t i = 0; i < MAX_DOMAINS; ++i) {
        Domain const &d = domains()[i];
        if (!d.alive())
            continue;
        channels(d).acm_label = labels[i];
        if (labels[i] == acm::NO_LABEL) {
            ++report.unlabelled;
            log("ward: acm: domain %u '%s': label %s is not in the new policy; it keeps running "
                "and may share with no one\n",
                d.id, d.name.c_str(), d.label.c_str());
        }
    }
    rebuild_running();
    Name_text const name{guard.policy().name()};
    log("ward: acm: policy '%s' %u.%u in force (generation %llu), loaded by domain %u '%s'; "
        "was '%s'\n",
        name.text, guard.policy().version_major(), guard.policy().version_minor(),
        static_cast<unsigned long long>(guard.generation()), by != nullptr ? by->id : 0,
        by != nullptr ? by->name.c_str() : "-", old_name.text);
    report.revoked = channels_policy_changed();
    log("ward: acm: reload revoked %u channel(s) and mapping(s)\n", report.revoked);
    return report;
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

bool acm_link_allowed(Domain const &a, Domain const &b)
{
    if (!guard.loaded())
        return a.label == b.label;
    return acm::link_survives(guard.policy(), channels(a).acm_label, channels(b).acm_label);
}

uint64_t acm_generation()
{
    return guard.generation();
}

} // namespace hv::kernel
