// SPDX-License-Identifier: MIT
// A small xenstore client over /dev/xen/xenbus, the Linux kernel's xenbus device (wire format:
// docs/store.md section 2). One request at a time, no transactions. Watch events may arrive in
// the same byte stream as a reply (a single read() can return several messages): they are queued
// while a request waits and handed out by take_events(); pump() reads what the device has when
// fd() polls readable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/xendev/devices.hpp"

namespace dom::xendev
{

struct Watch_event
{
    std::string path;  // the node that changed (or the watched path itself, once, on WATCH)
    std::string token; // the token given to watch()
};

class Xenstore
{
  public:
    static Result<Xenstore> open(char const *path = "/dev/xen/xenbus");
    Xenstore(Xenstore &&o) noexcept;
    Xenstore &operator=(Xenstore &&) = delete;
    ~Xenstore();

    // A store error reply (ENOENT, EACCES, ...) is the error string "xenstore <op> <path>:
    // <name>"; `missing()` tells ENOENT apart.
    Result<std::string> read(std::string const &path);
    Result<void> write(std::string const &path, std::string const &value);
    Result<void> mkdir(std::string const &path);
    Result<void> rm(std::string const &path);
    // The children's names (empty entries dropped).
    Result<std::vector<std::string>> directory(std::string const &path);
    // perms: "n<owner>", then e.g. "r<domid>" (first entry = owner and default).
    Result<void> set_perms(std::string const &path, std::vector<std::string> const &perms);
    Result<void> watch(std::string const &path, std::string const &token);
    Result<void> unwatch(std::string const &path, std::string const &token);
    // This domain's id, from the `domid` key the store writes in each home.
    Result<unsigned> own_domid();

    // Reads, without blocking, every message the device has (call when fd() is readable) and
    // queues the watch events among them. A reply nobody waits for is an error.
    Result<void> pump();
    // Takes every queued watch event, oldest first; empty if none. Events read while a request
    // waited for its reply are queued too, and poll() on fd() does not report them again: take
    // them before polling.
    std::vector<Watch_event> take_events();
    int fd() const { return fd_; }

    static bool missing(std::string const &error);

  private:
    explicit Xenstore(int fd) : fd_{fd} {}
    Result<std::string> request(uint32_t type, char const *op, std::string const &path,
                                std::string const &payload);
    // One read() (blocking or not); splits whole messages off in_: watch events are queued, a
    // reply is stored in reply_. False when nothing was there (non-blocking only).
    Result<bool> read_some(bool block);

    struct Reply
    {
        uint32_t type;
        uint32_t req_id;
        std::string body;
    };

    int fd_;
    uint32_t req_id_ = 0;
    std::string in_; // bytes of a message not yet whole
    std::optional<Reply> reply_;
    std::vector<Watch_event> events_;
};

} // namespace dom::xendev
