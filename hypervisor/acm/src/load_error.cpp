// SPDX-License-Identifier: MIT
// Descriptions of loader errors.
#include "hv/acm/load_error.hpp"

namespace hv::acm
{

char const *describe(Load_error e)
{
    switch (e) {
    case Load_error::TRUNCATED: return "truncated: the policy is shorter than its header says";
    case Load_error::BAD_MAGIC: return "bad magic: not a Ward binary ACM policy";
    case Load_error::BAD_VERSION: return "unsupported binary policy version (this loader reads 1)";
    case Load_error::BAD_SIZE: return "bad size: header size or total size does not match";
    case Load_error::BAD_DIGEST: return "digest mismatch: SHA-256 of the policy does not match";
    case Load_error::BAD_HEADER: return "bad header: reserved field set or count over a limit";
    case Load_error::BAD_SECTION: return "bad section: outside the file or of the wrong size";
    case Load_error::BAD_STRING: return "bad string reference or empty name";
    case Load_error::BAD_ORDER: return "names not strictly ascending (unsorted or duplicate)";
    case Load_error::BAD_INDEX: return "index list out of range or not strictly ascending";
    case Load_error::BAD_CONFLICT: return "bad conflict set (fewer than two types or membership)";
    case Load_error::BAD_LABEL: return "bad label record";
    case Load_error::BAD_BOOTSTRAP: return "bootstrap label missing or not a virtual-machine label";
    }
    return "unknown load error";
}

} // namespace hv::acm
