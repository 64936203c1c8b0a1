// SPDX-License-Identifier: MIT
// ward: the toolstack command. `ward measure CONFIG` prints a domain's launch measurement;
// `ward launch-vtpm CONFIG --tcti T` extends it into a freshly reset vTPM (docs/builder.md).
#include <cstdio>
#include <exception>
#include <string>

#include "builder/measured_launch.hpp"
#include "vtpm/atomic_file.hpp"

using namespace dom::builder;

namespace
{

constexpr char const *USAGE = "usage: ward measure CONFIG [--event-log FILE]\n"
                              "       ward launch-vtpm CONFIG --tcti TCTI [--event-log FILE]\n";

int report(Error const &e)
{
    std::fprintf(stderr, "ward: %s: %s\n", dom::vtpm::errc_name(e.code), e.message.c_str());
    return 1;
}

int run(int argc, char **argv)
{
    if (argc < 3)
        return std::fputs(USAGE, stderr), 2;
    std::string const cmd = argv[1], config = argv[2];
    std::string log_path, tcti;
    for (int i = 3; i < argc; ++i) {
        std::string const a = argv[i];
        if (i + 1 >= argc)
            return std::fputs(USAGE, stderr), 2;
        if (a == "--event-log")
            log_path = argv[++i];
        else if (a == "--tcti")
            tcti = argv[++i];
        else
            return std::fputs(USAGE, stderr), 2;
    }
    if (cmd != "measure" && cmd != "launch-vtpm")
        return std::fputs(USAGE, stderr), 2;
    auto const in = load_inputs(config);
    if (!in)
        return report(in.error());
    auto const m = measure(*in);
    dom::vtpm::Bytes log = encode_event_log(m.events);
    if (cmd == "launch-vtpm") {
        if (tcti.empty())
            return std::fputs(USAGE, stderr), 2;
        auto tpm = dom::vtpm::Tpm_client::connect(tcti);
        if (!tpm)
            return report(tpm.error());
        auto const r = extend_launch(m, *tpm);
        if (!r)
            return report(r.error());
        log = *r;
    }
    if (!log_path.empty())
        if (auto const w = dom::vtpm::write_atomic(log_path, log); !w)
            return report(w.error());
    std::fputs(m.to_text().c_str(), stdout);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        return run(argc, argv);
    } catch (std::exception const &e) {
        std::fprintf(stderr, "ward: internal error: %s\n", e.what());
        return 1;
    }
}
