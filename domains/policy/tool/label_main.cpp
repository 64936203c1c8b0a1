// SPDX-License-Identifier: MIT
// ward-label: attach ACM labels to domain configurations and resources, checked against a
// policy (docs/policy.md, "ward-label").
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "ward/policy/labels.hpp"
#include "ward/policy/policy.hpp"

namespace
{

using namespace ward::policy;

constexpr int EXIT_USAGE = 2;

int usage()
{
    std::cerr << "usage:\n"
                 "  ward-label --policy POLICY set dom CONFIG LABEL\n"
                 "  ward-label [--policy POLICY] get dom CONFIG\n"
                 "  ward-label rm dom CONFIG\n"
                 "  ward-label --policy POLICY --resources FILE set res RESOURCE LABEL\n"
                 "  ward-label [--policy POLICY] --resources FILE get res RESOURCE\n"
                 "  ward-label --resources FILE rm res RESOURCE\n"
                 "  ward-label [--policy POLICY] --resources FILE list\n"
                 "RESOURCE: phy:/dev/..., file:/path, net:NAME or vtpm:NAME\n";
    return EXIT_USAGE;
}

int report(Error const &e)
{
    std::cerr << "ward-label: " << e.to_string() << "\n";
    return 1;
}

int report(std::string const &msg)
{
    std::cerr << "ward-label: " << msg << "\n";
    return 1;
}

std::optional<std::string> read_file(std::string const &path)
{
    std::ifstream in{path, std::ios::binary};
    if (!in)
        return std::nullopt;
    return std::string{std::istreambuf_iterator<char>(in), {}};
}

bool write_file(std::string const &path, std::string const &text)
{
    std::string const tmp = path + ".tmp";
    {
        std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
        out << text;
        if (!out.flush()) {
            std::filesystem::remove(tmp);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    return !ec;
}

struct Options
{
    std::optional<std::string> policy;
    std::optional<std::string> resources;
    std::vector<std::string> args;
};

class Tool
{
  public:
    explicit Tool(Options o) : o_{std::move(o)} {}

    int run();

  private:
    int load_policy();
    int dom(std::string const &verb);
    int res(std::string const &verb);
    int list();
    hv::Result<Resource_labels, Error> resources() const;

    Options o_;
    std::optional<Policy> policy_;
};

int Tool::load_policy()
{
    if (!o_.policy)
        return 0;
    auto p = Policy::load_file(*o_.policy);
    if (!p)
        return report(p.error());
    policy_ = *std::move(p);
    return 0;
}

hv::Result<Resource_labels, Error> Tool::resources() const
{
    // A missing file is an empty one: the first `set` creates it.
    auto const text = read_file(*o_.resources);
    if (!text && std::filesystem::exists(*o_.resources))
        return hv::unexpected(Error{*o_.resources, 0, 0, "", "cannot read"});
    return Resource_labels::parse(text.value_or(""), *o_.resources);
}

int Tool::dom(std::string const &verb)
{
    auto const &a = o_.args;
    if ((verb == "set" && a.size() != 4) || (verb != "set" && a.size() != 3))
        return usage();
    std::string const &config = a[2];
    auto const text = read_file(config);
    if (!text)
        return report(config + ": cannot open domain configuration");
    if (verb == "get") {
        auto const label = config_label(*text, config);
        if (!label)
            return report(label.error());
        if (policy_)
            if (auto const ok = check_label(*policy_, *label, Label_kind::VM); !ok)
                return report(config + ": " + ok.error().message);
        std::cout << *label << "\n";
        return 0;
    }
    if (verb == "set") {
        if (!policy_)
            return report("set needs --policy: labels are checked against a policy");
        if (auto const ok = check_label(*policy_, a[3], Label_kind::VM); !ok)
            return report(ok.error().message);
        if (!write_file(config, config_with_label(*text, a[3])))
            return report(config + ": cannot write");
        return 0;
    }
    auto const out = config_without_label(*text, config);
    if (!out)
        return report(out.error());
    return write_file(config, *out) ? 0 : report(config + ": cannot write");
}

int Tool::res(std::string const &verb)
{
    auto const &a = o_.args;
    if (!o_.resources)
        return report("resource labels need --resources FILE");
    if ((verb == "set" && a.size() != 4) || (verb != "set" && a.size() != 3))
        return usage();
    std::string const &resource = a[2];
    if (!resource_name_ok(resource))
        return report("bad resource '" + resource +
                      "' (phy:/dev/..., file:/path, net:NAME or vtpm:NAME)");
    auto db = resources();
    if (!db)
        return report(db.error());
    auto &entries = db->entries();
    if (verb == "get") {
        auto const it = entries.find(resource);
        if (it == entries.end())
            return report("resource '" + resource + "' is unlabelled");
        if (policy_)
            if (auto const ok = check_label(*policy_, it->second, Label_kind::RESOURCE); !ok)
                return report(ok.error().message);
        std::cout << it->second << "\n";
        return 0;
    }
    if (verb == "set") {
        if (!policy_)
            return report("set needs --policy: labels are checked against a policy");
        if (auto const ok = check_label(*policy_, a[3], Label_kind::RESOURCE); !ok)
            return report(ok.error().message);
        entries[resource] = a[3];
    } else if (entries.erase(resource) == 0) {
        return report("resource '" + resource + "' is not labelled");
    }
    return write_file(*o_.resources, db->text()) ? 0 : report(*o_.resources + ": cannot write");
}

// Every labelled resource; with a policy, those whose label it does not define are flagged.
int Tool::list()
{
    if (!o_.resources || o_.args.size() != 1)
        return usage();
    auto const db = resources();
    if (!db)
        return report(db.error());
    int bad = 0;
    for (auto const &[resource, label] : db->entries()) {
        std::cout << resource << " " << label;
        if (policy_)
            if (auto const ok = check_label(*policy_, label, Label_kind::RESOURCE); !ok) {
                std::cout << "  INVALID: " << ok.error().message;
                ++bad;
            }
        std::cout << "\n";
    }
    return bad == 0 ? 0 : 1;
}

int Tool::run()
{
    if (o_.args.empty())
        return usage();
    if (int const rc = load_policy(); rc != 0)
        return rc;
    std::string const &verb = o_.args[0];
    if (verb == "list")
        return list();
    if ((verb != "set" && verb != "get" && verb != "rm") || o_.args.size() < 2)
        return usage();
    if (o_.args[1] == "dom")
        return dom(verb);
    if (o_.args[1] == "res")
        return res(verb);
    return usage();
}

} // namespace

int main(int argc, char **argv)
{
    try {
        Options o;
        for (int i = 1; i < argc; ++i) {
            std::string const a = argv[i];
            if ((a == "--policy" || a == "--resources") && i + 1 < argc)
                (a == "--policy" ? o.policy : o.resources) = argv[++i];
            else if (a.rfind("--", 0) == 0)
                return usage();
            else
                o.args.push_back(a);
        }
        return Tool{std::move(o)}.run();
    } catch (std::exception const &e) {
        std::cerr << "ward-label: " << e.what() << "\n";
        return 1;
    }
}
