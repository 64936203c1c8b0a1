// SPDX-License-Identifier: MIT
// XenStore path rules: validation, relative-path resolution and ancestry tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hv/result.hpp"
#include "ward/store/wire.hpp"

namespace dom::store
{

// "/local/domain/<domid>", the base of a domain's relative paths.
std::string domain_path(uint32_t domid);

// Resolves a request path for a caller: absolute paths are checked as they are; relative ones
// are taken below domain_path(domid). Errors: EINVAL for empty paths, characters outside
// [A-Za-z0-9-/_@], "//" or a trailing '/'; E2BIG when longer than XENSTORE_ABS_PATH_MAX or, for
// a relative path, XENSTORE_REL_PATH_MAX.
hv::Result<std::string, Err> resolve_path(std::string_view path, uint32_t domid);

// True for the special watch nodes "@introduceDomain" and "@releaseDomain", optionally followed
// by "/<domid>" (only meaningful to WATCH).
bool special_path(std::string_view path);

// True if `node` is `base` or lies below it.
bool path_within(std::string_view node, std::string_view base);

// Number of '/'-separated components ("/" has 0, "/a/b" has 2).
unsigned path_depth(std::string_view path);

// Parent of an absolute, valid, non-root path ("/a" -> "/", "/a/b" -> "/a").
std::string_view parent_path(std::string_view path);

// Last component of an absolute, valid, non-root path.
std::string_view base_name(std::string_view path);

// Joins a valid absolute parent with one child name.
std::string child_path(std::string_view parent, std::string_view name);

// Decimal uint32 with no sign, spaces or leading junk; rejects overflow and empty strings.
hv::Result<uint32_t, Err> parse_u32(std::string_view s);

} // namespace dom::store
