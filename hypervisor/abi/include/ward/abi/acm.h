/* SPDX-License-Identifier: MIT */
/* Ward's ACM policy hypercall (docs/hypercalls.md 5.7, docs/policy.md "Reloading the policy"):
 * hypercall 27, the number Xen gave its ACM (acm_op, later xsm_op), with one argument, the guest
 * address of a struct ward_acm_op. Only a domain with the `policy` capability may call it. */
#ifndef WARD_ABI_ACM_H
#define WARD_ABI_ACM_H

#include "ward/abi/xen.h"

#define WARD_HC_ACM_OP 27
#define WARD_ACM_INTERFACE_VERSION 1
#define WARD_ACMOP_SET_POLICY 1    /* load a new binary policy (domains/policy's format) */
#define WARD_ACM_POLICY_MAX 65536u /* bytes */

struct ward_acm_op
{
    uint32_t cmd;               /* WARD_ACMOP_* */
    uint32_t interface_version; /* WARD_ACM_INTERFACE_VERSION */
    uint64_t policy;            /* guest address of the binary policy */
    uint32_t size;              /* its size in bytes, 1 .. WARD_ACM_POLICY_MAX */
    uint32_t revoked;           /* out: event channels and grant mappings revoked */
};
WARD_STATIC_ASSERT(sizeof(struct ward_acm_op) == 24, "acm op");

#endif
