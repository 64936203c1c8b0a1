// SPDX-License-Identifier: MIT
// Guest segment checks of VM entry (SDM 26.3.1.2), restricted to what Ward's guests use.
#include "hv/vmx/access_rights.hpp"

namespace hv::vmx
{

namespace
{

// Granularity must agree with the limit: a limit with any of bits 11:0 clear needs G = 0, a
// limit above 1 MiB needs G = 1.
bool granularity_consistent(uint32_t ar, uint32_t limit)
{
    bool const g = ar & AR_G;
    if ((limit & 0xfffu) != 0xfffu && g)
        return false;
    if ((limit & 0xfff00000u) != 0 && !g)
        return false;
    return true;
}

char const *code_problem(uint32_t ar, bool long_mode_guest)
{
    uint32_t const type = ar & 0xf;
    if (ar & AR_UNUSABLE)
        return "CS is unusable";
    if (!(type == 3 || type == 9 || type == 11 || type == 13 || type == 15))
        return "CS type is not an accessed code segment";
    if (!(ar & AR_S))
        return "CS is a system segment";
    if (!(ar & AR_PRESENT))
        return "CS is not present";
    if (long_mode_guest && (ar & AR_L) && (ar & AR_DB))
        return "CS has both L and D/B set";
    return nullptr;
}

char const *data_problem(uint32_t ar, bool ss)
{
    if (ar & AR_UNUSABLE)
        return nullptr;
    uint32_t const type = ar & 0xf;
    if (!(type & 1))
        return "data segment type is not accessed";
    if (ss && !(type == 3 || type == 7))
        return "SS is not a writable data segment";
    if ((type & 8) && !(type & 2))
        return "data segment register holds an execute-only code segment";
    if (!(ar & AR_S))
        return "data segment is a system segment";
    if (!(ar & AR_PRESENT))
        return "data segment is not present";
    return nullptr;
}

char const *tr_problem(uint32_t ar, bool long_mode_guest)
{
    uint32_t const type = ar & 0xf;
    if (ar & AR_UNUSABLE)
        return "TR is unusable";
    if (!(type == 11 || (!long_mode_guest && type == 3)))
        return "TR is not a busy TSS";
    if (ar & AR_S)
        return "TR is not a system segment";
    if (!(ar & AR_PRESENT))
        return "TR is not present";
    return nullptr;
}

char const *ldtr_problem(uint32_t ar)
{
    if (ar & AR_UNUSABLE)
        return nullptr;
    if ((ar & 0xf) != 2)
        return "LDTR is not an LDT";
    if (ar & AR_S)
        return "LDTR is not a system segment";
    if (!(ar & AR_PRESENT))
        return "LDTR is not present";
    return nullptr;
}

} // namespace

char const *segment_problem(Segment_kind kind, uint32_t ar, uint32_t limit, bool long_mode_guest)
{
    if (ar & 0xfffe0f00u)
        return "reserved access-rights bits set";
    char const *p = nullptr;
    switch (kind) {
    case Segment_kind::CS: p = code_problem(ar, long_mode_guest); break;
    case Segment_kind::SS: p = data_problem(ar, true); break;
    case Segment_kind::DATA: p = data_problem(ar, false); break;
    case Segment_kind::TR: p = tr_problem(ar, long_mode_guest); break;
    case Segment_kind::LDTR: p = ldtr_problem(ar); break;
    }
    if (p != nullptr)
        return p;
    if (!(ar & AR_UNUSABLE) && !granularity_consistent(ar, limit))
        return "limit and granularity disagree";
    return nullptr;
}

} // namespace hv::vmx
