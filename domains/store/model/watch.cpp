// SPDX-License-Identifier: MIT
#include "watch.hpp"

#include "path.hpp"

namespace dom::store
{

std::optional<std::string> event_path(Watch const &w, std::string_view changed, bool recursive,
                                      uint32_t domid)
{
    if (w.path.front() == '@')
        return std::nullopt;
    std::string_view epath;
    if (path_within(changed, w.path)) {
        if (w.depth && path_depth(changed) - path_depth(w.path) > *w.depth)
            return std::nullopt;
        epath = changed;
    } else if (recursive && path_within(w.path, changed)) {
        epath = w.path;
    } else {
        return std::nullopt;
    }
    if (w.relative) {
        auto const base = domain_path(domid).size() + 1;
        if (epath.size() <= base)
            return std::nullopt;
        epath.remove_prefix(base);
    }
    return std::string{epath};
}

std::optional<std::string> special_event_path(Watch const &w, std::string_view name, uint32_t domid)
{
    std::string const specific = std::string{name} + "/" + std::to_string(domid);
    if (w.path == name)
        return (w.depth && *w.depth >= 1) ? specific : std::string{name};
    if (w.path == specific)
        return specific;
    return std::nullopt;
}

} // namespace dom::store
