// SPDX-License-Identifier: MIT
// A large synthetic ACM policy for the benchmark: STE and CW types, conflict sets, virtual
// machine labels of 1-3 coalitions, a few wide service labels, resource labels. Deterministic.
#pragma once

#include <cstdio>
#include <random>
#include <string>

namespace acm_bench
{

struct Shape
{
    int types = 1000;   // STE types, and as many CW types
    int labels = 10000; // all labels: services + machines + resources
    int services = 50;  // labels holding `service_width` STE types
    int service_width = 50;
    int resources = 1000;
    int conflict_sets = 200; // of 2-5 CW types each
};

inline std::string generate_policy_xml(Shape const &s, unsigned seed = 42)
{
    std::mt19937 rng{seed};
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    char buf[256];
    std::string x;
    x.reserve(static_cast<size_t>(s.labels) * 260);
    x += "<?xml version=\"1.0\"?>\n<SecurityPolicyDefinition xmlns=\"http://www.ibm.com\">\n"
         "<PolicyHeader><PolicyName>bench</PolicyName><Version>1.0</Version></PolicyHeader>\n"
         "<SimpleTypeEnforcement><SimpleTypeEnforcementTypes>\n";
    for (int t = 0; t < s.types; ++t) {
        std::snprintf(buf, sizeof buf, "<Type>ste_%04d</Type>", t);
        x += buf;
        if (t % 10 == 0) {
            std::snprintf(buf, sizeof buf, "<?ward-colour type=\"ste_%04d\" colour=\"#%06x\"?>", t,
                          static_cast<unsigned>(rng() & 0xffffff));
            x += buf;
        }
        x += "\n";
    }
    x += "</SimpleTypeEnforcementTypes></SimpleTypeEnforcement>\n"
         "<ChineseWall><ChineseWallTypes>\n";
    for (int t = 0; t < s.types; ++t) {
        std::snprintf(buf, sizeof buf, "<Type>cw_%04d</Type>\n", t);
        x += buf;
    }
    x += "</ChineseWallTypes><ConflictSets>\n";
    for (int c = 0; c < s.conflict_sets; ++c) {
        std::snprintf(buf, sizeof buf, "<Conflict name=\"set_%04d\">", c);
        x += buf;
        int const n = 2 + pick(4);
        int const base = pick(s.types - 5);
        for (int i = 0; i < n; ++i) {
            std::snprintf(buf, sizeof buf, "<Type>cw_%04d</Type>", base + i);
            x += buf;
        }
        x += "</Conflict>\n";
    }
    x += "</ConflictSets></ChineseWall>\n<SecurityLabelTemplate>\n"
         "<SubjectLabels bootstrap=\"svc_0000\">\n";
    int const machines = s.labels - s.services - s.resources;
    auto vm = [&](char const *prefix, int i, int width) {
        std::snprintf(buf, sizeof buf, "<VirtualMachineLabel><Name>%s_%04d</Name>", prefix, i);
        x += buf;
        x += "<SimpleTypeEnforcementTypes>";
        int const first = pick(s.types - width);
        for (int k = 0; k < width; ++k) {
            std::snprintf(buf, sizeof buf, "<Type>ste_%04d</Type>", (first + k * 7) % s.types);
            x += buf;
        }
        std::snprintf(buf, sizeof buf,
                      "</SimpleTypeEnforcementTypes><ChineseWallTypes><Type>cw_%04d</Type>"
                      "</ChineseWallTypes></VirtualMachineLabel>\n",
                      pick(s.types));
        x += buf;
    };
    for (int i = 0; i < s.services; ++i)
        vm("svc", i, s.service_width);
    for (int i = 0; i < machines; ++i)
        vm("vm", i, 1 + pick(3));
    x += "</SubjectLabels>\n<ObjectLabels>\n";
    for (int i = 0; i < s.resources; ++i) {
        std::snprintf(buf, sizeof buf,
                      "<ResourceLabel><Name>res_%04d</Name><SimpleTypeEnforcementTypes>"
                      "<Type>ste_%04d</Type></SimpleTypeEnforcementTypes></ResourceLabel>\n",
                      i, pick(s.types));
        x += buf;
    }
    x += "</ObjectLabels>\n</SecurityLabelTemplate>\n</SecurityPolicyDefinition>\n";
    return x;
}

} // namespace acm_bench
