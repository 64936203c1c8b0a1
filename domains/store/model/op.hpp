// SPDX-License-Identifier: MIT
// A committed change, as applied to the tree and written to the journal.
#pragma once

#include <cstdint>
#include <string>

#include "perms.hpp"

namespace dom::store
{

struct Op
{
    enum class Kind : uint8_t
    {
        PUT = 'P',           // path, value, perms: create or update one node
        DEL = 'D',           // path: remove a subtree
        INTRODUCE = 'I',     // a = domid, b = event channel, gfn
        RELEASE = 'R',       // a = domid
        SET_TARGET = 'T',    // a = domid, b = target domid
        SPECIAL_PERMS = 'S', // path (@introduceDomain / @releaseDomain), perms
        QUOTA = 'Q',         // a = domid, path = quota name, b = value (per-domain SET_QUOTA)
    };

    Kind kind;
    std::string path;
    std::string value;
    Perms perms;
    uint32_t a = 0;
    uint32_t b = 0;
    int64_t gfn = 0;
};

} // namespace dom::store
