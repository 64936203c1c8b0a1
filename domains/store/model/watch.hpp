// SPDX-License-Identifier: MIT
// Watches: which registered watch a change fires, and with which event path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dom::store
{

struct Watch
{
    std::string path;  // resolved absolute path, or a special "@..." name
    std::string given; // as the client sent it (identifies the watch for UNWATCH)
    std::string token;
    bool relative = false;
    std::optional<unsigned> depth; // WATCHDEPTH: levels below `path` that fire
};

// The event path a change to `changed` fires on `w`, or nothing. `recursive` marks a subtree
// removal, which also fires watches below the removed node (with their own path). `domid` is
// the watcher's domain, for relative watches.
std::optional<std::string> event_path(Watch const &w, std::string_view changed, bool recursive,
                                      uint32_t domid);

// The event path of a special event (`name` = "@introduceDomain"/"@releaseDomain") for domain
// `domid` on watch `w`, or nothing.
std::optional<std::string> special_event_path(Watch const &w, std::string_view name,
                                              uint32_t domid);

} // namespace dom::store
