// SPDX-License-Identifier: MIT
// ward-vtpm: command-line front end of the vTPM manager (docs/vtpm.md, "Command line").
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "vtpm/atomic_file.hpp"
#include "vtpm/manager.hpp"

using namespace dom::vtpm;

namespace
{

constexpr char const *USAGE =
    "usage: ward-vtpm [--root DIR] [--platform TCTI] [--pcrs LIST] [--swtpm PATH] COMMAND\n"
    "commands:\n"
    "  init                                      unseal (or create and seal) the manager key\n"
    "  create --domain D --label L --measurement HEX\n"
    "  start UUID --domain D --label L --measurement HEX [--reset]\n"
    "  attach UUID --domain D --label L --measurement HEX\n"
    "  stop UUID | destroy UUID | list\n"
    "  rebind UUID --domain D --label L --measurement HEX\n"
    "         [--new-domain D] [--new-label L] [--new-measurement HEX]\n"
    "  platform-key [--out FILE]                 this platform's migration key\n"
    "  export UUID --to KEYFILE --out BLOB       migrate away (the instance is destroyed here)\n"
    "  import BLOB\n"
    "environment: WARD_VTPM_ROOT, WARD_PLATFORM_TCTI, WARD_PLATFORM_PCRS\n";

struct Args
{
    std::vector<std::string> positional;
    std::map<std::string, std::string> opts;
    bool reset{false};
};

bool parse_args(int argc, char **argv, Args &a)
{
    for (int i = 1; i < argc; ++i) {
        std::string const s = argv[i];
        if (s == "--reset")
            a.reset = true;
        else if (s.rfind("--", 0) == 0) {
            if (i + 1 >= argc)
                return false;
            a.opts[s.substr(2)] = argv[++i];
        } else
            a.positional.push_back(s);
    }
    return !a.positional.empty();
}

std::string opt(Args const &a, std::string const &name, char const *env, char const *dflt)
{
    if (auto const it = a.opts.find(name); it != a.opts.end())
        return it->second;
    if (char const *e = env ? std::getenv(env) : nullptr)
        return e;
    return dflt ? dflt : "";
}

int report(Error const &e)
{
    std::fprintf(stderr, "ward-vtpm: %s: %s\n", errc_name(e.code), e.message.c_str());
    return 1;
}

Domain_identity identity(Args const &a)
{
    return {opt(a, "domain", nullptr, ""), opt(a, "label", nullptr, ""),
            opt(a, "measurement", nullptr, "")};
}

void print(Instance_info const &i)
{
    std::printf("%s %-9s domain=%s label=%s measurement=%s", i.uuid.c_str(), status_name(i.status),
                i.owner.domain.c_str(), i.owner.label.c_str(), i.owner.measurement.c_str());
    if (i.status == Instance_status::RUNNING)
        std::printf(" port=%u pid=%d", i.port, i.pid);
    if (i.status == Instance_status::CORRUPT)
        std::printf(" problem=\"%s\"", i.problem.c_str());
    std::printf("\n");
}

int run(Args const &a)
{
    auto const pcrs =
        Pcr_selection::parse(opt(a, "pcrs", "WARD_PLATFORM_PCRS", DEFAULT_PLATFORM_PCRS));
    if (!pcrs)
        return report(pcrs.error());
    Manager_config cfg{opt(a, "root", "WARD_VTPM_ROOT", "/var/lib/ward/vtpm"),
                       opt(a, "platform", "WARD_PLATFORM_TCTI", "device:/dev/tpmrm0"), *pcrs,
                       opt(a, "swtpm", nullptr, "swtpm")};
    auto m = Manager::open(cfg);
    if (!m)
        return report(m.error());
    auto &mgr = **m;
    auto const &cmd = a.positional[0];
    auto const uuid = a.positional.size() > 1 ? a.positional[1] : std::string();
    auto const endpoint = [](Result<Endpoint> const &e) {
        if (!e)
            return report(e.error());
        std::printf("uuid=%s port=%u tcti=%s\n", e->uuid.c_str(), e->port, e->tcti().c_str());
        return 0;
    };
    if (cmd == "init") {
        std::printf("manager key unsealed; root %s\n", mgr.root().c_str());
        return 0;
    }
    if (cmd == "create") {
        auto const i = mgr.create(identity(a));
        if (!i)
            return report(i.error());
        print(*i);
        return 0;
    }
    if (cmd == "start")
        return endpoint(
            mgr.start(uuid, identity(a), a.reset ? Start_mode::RESET : Start_mode::RESUME));
    if (cmd == "attach")
        return endpoint(mgr.attach(uuid, identity(a)));
    if (cmd == "rebind") {
        auto const cur = identity(a);
        Domain_identity const next{opt(a, "new-domain", nullptr, cur.domain.c_str()),
                                   opt(a, "new-label", nullptr, cur.label.c_str()),
                                   opt(a, "new-measurement", nullptr, cur.measurement.c_str())};
        auto const r = mgr.rebind(uuid, cur, next);
        return r ? 0 : report(r.error());
    }
    if (cmd == "stop" || cmd == "destroy") {
        auto const r = cmd == "stop" ? mgr.stop(uuid) : mgr.destroy(uuid);
        return r ? 0 : report(r.error());
    }
    if (cmd == "list") {
        for (auto const &i : mgr.list())
            print(i);
        return 0;
    }
    if (cmd == "platform-key") {
        auto const k = mgr.platform_key();
        if (!k)
            return report(k.error());
        auto const out = opt(a, "out", nullptr, "");
        if (out.empty()) {
            std::fputs(k->serialize().c_str(), stdout);
            return 0;
        }
        auto const w = write_atomic(out, k->serialize());
        return w ? 0 : report(w.error());
    }
    if (cmd == "export") {
        auto const text = read_text(opt(a, "to", nullptr, ""), 1 << 16);
        if (!text)
            return report(text.error());
        auto const key = Platform_key::parse(*text);
        if (!key)
            return report(key.error());
        auto const r = mgr.export_instance(uuid, *key, opt(a, "out", nullptr, ""));
        return r ? 0 : report(r.error());
    }
    if (cmd == "import") {
        auto const i = mgr.import_instance(uuid);
        if (!i)
            return report(i.error());
        print(*i);
        return 0;
    }
    std::fputs(USAGE, stderr);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    Args a;
    if (!parse_args(argc, argv, a)) {
        std::fputs(USAGE, stderr);
        return 2;
    }
    try {
        return run(a);
    } catch (std::exception const &e) {
        std::fprintf(stderr, "ward-vtpm: internal error: %s\n", e.what());
        return 1;
    }
}
