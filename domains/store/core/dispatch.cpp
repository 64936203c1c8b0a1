// SPDX-License-Identifier: MIT
#include "dispatch.hpp"

#include <array>

namespace dom::store
{

namespace
{

constexpr auto make_table()
{
    std::array<Handler, static_cast<size_t>(Msg::TYPE_COUNT)> t{};
    auto set = [&](Msg m, char const *name, Handler_fn fn, uint8_t flags) {
        t[static_cast<size_t>(m)] = Handler{name, fn, flags};
    };
    set(Msg::CONTROL, "CONTROL", do_control, FLAG_PRIV);
    set(Msg::DIRECTORY, "DIRECTORY", do_directory, FLAG_TXN);
    set(Msg::READ, "READ", do_read, FLAG_TXN);
    set(Msg::GET_PERMS, "GET_PERMS", do_get_perms, FLAG_TXN);
    set(Msg::WATCH, "WATCH", do_watch, FLAG_NONE);
    set(Msg::UNWATCH, "UNWATCH", do_unwatch, FLAG_NONE);
    set(Msg::TRANSACTION_START, "TRANSACTION_START", do_transaction_start, FLAG_NONE);
    set(Msg::TRANSACTION_END, "TRANSACTION_END", do_transaction_end, FLAG_NONE);
    set(Msg::INTRODUCE, "INTRODUCE", do_introduce, FLAG_PRIV);
    set(Msg::RELEASE, "RELEASE", do_release, FLAG_PRIV);
    set(Msg::GET_DOMAIN_PATH, "GET_DOMAIN_PATH", do_get_domain_path, FLAG_NONE);
    set(Msg::WRITE, "WRITE", do_write, FLAG_TXN);
    set(Msg::MKDIR, "MKDIR", do_mkdir, FLAG_TXN);
    set(Msg::RM, "RM", do_rm, FLAG_TXN);
    set(Msg::SET_PERMS, "SET_PERMS", do_set_perms, FLAG_TXN);
    set(Msg::IS_DOMAIN_INTRODUCED, "IS_DOMAIN_INTRODUCED", do_is_domain_introduced, FLAG_PRIV);
    set(Msg::RESUME, "RESUME", do_resume, FLAG_PRIV);
    set(Msg::SET_TARGET, "SET_TARGET", do_set_target, FLAG_PRIV);
    set(Msg::RESET_WATCHES, "RESET_WATCHES", do_reset_watches, FLAG_NONE);
    set(Msg::DIRECTORY_PART, "DIRECTORY_PART", do_directory_part, FLAG_TXN);
    set(Msg::GET_FEATURE, "GET_FEATURE", do_get_feature, FLAG_NONE);
    set(Msg::SET_FEATURE, "SET_FEATURE", do_set_feature, FLAG_PRIV);
    set(Msg::GET_QUOTA, "GET_QUOTA", do_get_quota, FLAG_PRIV);
    set(Msg::SET_QUOTA, "SET_QUOTA", do_set_quota, FLAG_PRIV);
    return t;
}

constexpr auto TABLE = make_table();

} // namespace

Handler const *handler_for(uint32_t type)
{
    if (type >= TABLE.size() || !TABLE[type].fn)
        return nullptr;
    return &TABLE[type];
}

} // namespace dom::store
