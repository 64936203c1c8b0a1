// SPDX-License-Identifier: MIT
// ward-policy: compile, check, show, explain and diff Ward's ACM policies (docs/policy.md).
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ward/policy/policy.hpp"
#include "ward/policy/report.hpp"

namespace
{

using ward::policy::Policy;

constexpr int EXIT_USAGE = 2;

int usage()
{
    std::cerr << "usage:\n"
                 "  ward-policy compile POLICY.xml -o POLICY.bin\n"
                 "  ward-policy check POLICY.xml\n"
                 "  ward-policy show POLICY.bin|POLICY.xml\n"
                 "  ward-policy explain POLICY LABEL_A LABEL_B\n"
                 "  ward-policy diff OLD NEW      (exit 1 when NEW revokes something)\n"
                 "  ward-policy labels POLICY     (name, kind, colour per line)\n";
    return EXIT_USAGE;
}

int report(ward::policy::Error const &e)
{
    std::cerr << "ward-policy: " << e.to_string() << "\n";
    return 1;
}

// Writes to a temporary file and renames it into place, so no partial binary is ever seen.
bool write_file(std::string const &path, std::span<std::byte const> bytes)
{
    std::string const tmp = path + ".tmp";
    {
        std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
        out.write(reinterpret_cast<char const *>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) {
            std::filesystem::remove(tmp);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        std::filesystem::remove(tmp);
    return !ec;
}

int compile(std::vector<std::string> const &args)
{
    if (args.size() != 3 || args[1] != "-o")
        return usage();
    auto const p = Policy::load_file(args[0]);
    if (!p)
        return report(p.error());
    if (!write_file(args[2], p->binary())) {
        std::cerr << "ward-policy: " << args[2] << ": cannot write: " << std::strerror(errno)
                  << "\n";
        return 1;
    }
    std::cout << args[2] << ": " << p->binary().size() << " bytes, sha256:" << p->digest_hex()
              << "\n";
    return 0;
}

int check(std::vector<std::string> const &args)
{
    if (args.size() != 1)
        return usage();
    auto const p = Policy::load_file(args[0]);
    if (!p)
        return report(p.error());
    auto const &v = p->view();
    std::cout << args[0] << ": ok: policy " << p->name() << " " << p->version() << ", "
              << v.ste_type_count() << " STE types, " << v.cw_type_count()
              << " Chinese Wall types, " << v.conflict_set_count() << " conflict sets, "
              << v.label_count() << " labels, bootstrap " << p->bootstrap_label() << "\n";
    return 0;
}

int show(std::vector<std::string> const &args)
{
    if (args.size() != 1)
        return usage();
    auto const p = Policy::load_file(args[0]);
    if (!p)
        return report(p.error());
    std::cout << ward::policy::show(*p);
    return 0;
}

int explain(std::vector<std::string> const &args)
{
    if (args.size() != 3)
        return usage();
    auto const p = Policy::load_file(args[0]);
    if (!p)
        return report(p.error());
    auto const text = ward::policy::explain(*p, args[1], args[2]);
    if (!text) {
        auto e = text.error();
        e.file = args[0];
        return report(e);
    }
    std::cout << *text;
    return 0;
}

int diff(std::vector<std::string> const &args)
{
    if (args.size() != 2)
        return usage();
    // Exit 1 means "something is revoked", so a policy that cannot be read exits 2.
    auto const a = Policy::load_file(args[0]);
    if (!a)
        return report(a.error()), EXIT_USAGE;
    auto const b = Policy::load_file(args[1]);
    if (!b)
        return report(b.error()), EXIT_USAGE;
    auto const d = ward::policy::diff(*a, *b);
    std::cout << d.text;
    return d.revoked == 0 ? 0 : 1;
}

int labels(std::vector<std::string> const &args)
{
    if (args.size() != 1)
        return usage();
    auto const p = Policy::load_file(args[0]);
    if (!p)
        return report(p.error());
    for (uint32_t l = 0; l < p->view().label_count(); ++l) {
        auto const info = p->label_at(l);
        std::cout << info.name << " " << (info.kind == ward::policy::Label_kind::VM ? "vm" : "res")
                  << " " << (info.colour ? ward::policy::colour_hex(*info.colour) : "-") << "\n";
    }
    return 0;
}

struct Command
{
    char const *name;
    int (*run)(std::vector<std::string> const &);
};

constexpr Command commands[] = {
    {"compile", compile}, {"check", check}, {"show", show},
    {"explain", explain}, {"diff", diff},   {"labels", labels},
};

} // namespace

int main(int argc, char **argv)
{
    try {
        if (argc < 2)
            return usage();
        std::vector<std::string> const args(argv + 2, argv + argc);
        for (auto const &c : commands)
            if (std::strcmp(argv[1], c.name) == 0)
                return c.run(args);
        std::cerr << "ward-policy: unknown command '" << argv[1] << "'\n";
        return usage();
    } catch (std::exception const &e) {
        std::cerr << "ward-policy: " << e.what() << "\n";
        return 1;
    }
}
