// SPDX-License-Identifier: MIT
// A small xenstore client over /dev/xen/xenbus, the Linux kernel's xenbus device (wire format:
// docs/store.md section 2). One request at a time, no transactions, no watches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/xendev/devices.hpp"

namespace dom::xendev
{

class Xenstore
{
  public:
    static Result<Xenstore> open(char const *path = "/dev/xen/xenbus");
    Xenstore(Xenstore &&o) noexcept : fd_{o.fd_}, req_id_{o.req_id_} { o.fd_ = -1; }
    Xenstore &operator=(Xenstore &&) = delete;
    ~Xenstore();

    // A store error reply (ENOENT, EACCES, ...) is the error string "xenstore <op> <path>:
    // <name>"; `missing()` tells ENOENT apart.
    Result<std::string> read(std::string const &path);
    Result<void> write(std::string const &path, std::string const &value);
    Result<void> mkdir(std::string const &path);
    Result<void> rm(std::string const &path);
    // perms: "n<owner>", then e.g. "r<domid>" (first entry = owner and default).
    Result<void> set_perms(std::string const &path, std::vector<std::string> const &perms);
    // This domain's id, from the `domid` key the store writes in each home.
    Result<unsigned> own_domid();

    static bool missing(std::string const &error);

  private:
    explicit Xenstore(int fd) : fd_{fd} {}
    Result<std::string> request(uint32_t type, char const *op, std::string const &path,
                                std::string const &payload);
    int fd_;
    uint32_t req_id_ = 0;
};

} // namespace dom::xendev
