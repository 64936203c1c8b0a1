// SPDX-License-Identifier: MIT
// XenStore wire protocol: message header, message types, error names, limits and the shared
// ring page layout (xen/include/public/io/xs_wire.h facts; see docs/store.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dom::store
{

// Message types (enum xsd_sockmsg_type). Values are ABI.
enum class Msg : uint32_t
{
    CONTROL = 0,
    DIRECTORY = 1,
    READ = 2,
    GET_PERMS = 3,
    WATCH = 4,
    UNWATCH = 5,
    TRANSACTION_START = 6,
    TRANSACTION_END = 7,
    INTRODUCE = 8,
    RELEASE = 9,
    GET_DOMAIN_PATH = 10,
    WRITE = 11,
    MKDIR = 12,
    RM = 13,
    SET_PERMS = 14,
    WATCH_EVENT = 15,
    ERROR = 16,
    IS_DOMAIN_INTRODUCED = 17,
    RESUME = 18,
    SET_TARGET = 19,
    RESTRICT_REMOVED = 20, // was XS_RESTRICT; invalid
    RESET_WATCHES = 21,
    DIRECTORY_PART = 22,
    GET_FEATURE = 23,
    SET_FEATURE = 24,
    GET_QUOTA = 25,
    SET_QUOTA = 26,
    TYPE_COUNT = 27,
    INVALID = 0xffff,
};

// struct xsd_sockmsg: four host-endian words, then `len` payload bytes.
struct Header
{
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};
static_assert(sizeof(Header) == 16);
static_assert(offsetof(Header, len) == 12);

inline constexpr uint32_t PAYLOAD_MAX = 4096; // XENSTORE_PAYLOAD_MAX, both directions
inline constexpr size_t ABS_PATH_MAX = 3072;  // XENSTORE_ABS_PATH_MAX
inline constexpr size_t REL_PATH_MAX = 2048;  // XENSTORE_REL_PATH_MAX
inline constexpr uint32_t DOMID_FIRST_RESERVED = 0x7ff0;

// Error replies carry the errno *name*. The order is xsd_errors[] (append-only upstream).
enum class Err : uint8_t
{
    INVAL,
    ACCES,
    EXIST,
    ISDIR,
    NOENT,
    NOMEM,
    NOSPC,
    IO,
    NOTEMPTY,
    NOSYS,
    ROFS,
    BUSY,
    AGAIN,
    ISCONN,
    TOOBIG, // E2BIG
    PERM,
};

inline constexpr std::string_view ERR_NAMES[] = {
    "EINVAL",    "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM",  "ENOSPC", "EIO",
    "ENOTEMPTY", "ENOSYS", "EROFS",  "EBUSY",  "EAGAIN", "EISCONN", "E2BIG",  "EPERM",
};

constexpr std::string_view err_name(Err e)
{
    return ERR_NAMES[static_cast<size_t>(e)];
}

// Watch event payload indices (enum xs_watch_type).
inline constexpr unsigned WATCH_PATH = 0;
inline constexpr unsigned WATCH_TOKEN = 1;

// Shared ring page (struct xenstore_domain_interface), one 4 KiB page.
inline constexpr uint32_t RING_SIZE = 1024; // XENSTORE_RING_SIZE
constexpr uint32_t ring_mask(uint32_t idx)
{
    return idx & (RING_SIZE - 1);
}

struct Ring_interface
{
    char req[RING_SIZE]; // guest -> store
    char rsp[RING_SIZE]; // store -> guest: replies and watch events
    uint32_t req_cons;
    uint32_t req_prod;
    uint32_t rsp_cons;
    uint32_t rsp_prod;
    uint32_t server_features;
    uint32_t connection;
    uint32_t error;
    uint32_t evtchn_port;
};
static_assert(offsetof(Ring_interface, rsp) == 1024);
static_assert(offsetof(Ring_interface, req_cons) == 2048);
static_assert(offsetof(Ring_interface, req_prod) == 2052);
static_assert(offsetof(Ring_interface, rsp_cons) == 2056);
static_assert(offsetof(Ring_interface, rsp_prod) == 2060);
static_assert(offsetof(Ring_interface, server_features) == 2064);
static_assert(offsetof(Ring_interface, connection) == 2068);
static_assert(offsetof(Ring_interface, error) == 2072);
static_assert(offsetof(Ring_interface, evtchn_port) == 2076);

inline constexpr uint32_t FEATURE_RECONNECTION = 1;
inline constexpr uint32_t FEATURE_ERROR = 2;
inline constexpr uint32_t FEATURE_WATCHDEPTH = 4;
inline constexpr uint32_t FEATURE_DOMID_ANY = 8;

inline constexpr uint32_t RING_CONNECTED = 0;
inline constexpr uint32_t RING_RECONNECT = 1;

inline constexpr uint32_t RING_ERROR_NONE = 0;
inline constexpr uint32_t RING_ERROR_COMM = 1;
inline constexpr uint32_t RING_ERROR_RINGIDX = 2;
inline constexpr uint32_t RING_ERROR_PROTO = 3;

} // namespace dom::store
