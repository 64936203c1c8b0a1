// SPDX-License-Identifier: MIT
// Crash-safe file operations: every committed write is write + fsync + rename + fsync(dir), so
// a kill -9 or power loss leaves either the old or the new file, never a mix.
#pragma once

#include <string>

#include "vtpm/bytes.hpp"
#include "vtpm/error.hpp"

namespace dom::vtpm
{

// Replaces `path` atomically with `data` (mode 0600). The temporary is "<path>.tmp".
Result<void> write_atomic(std::string const &path, std::span<std::uint8_t const> data);
inline Result<void> write_atomic(std::string const &path, std::string const &text)
{
    return write_atomic(
        path, std::span{reinterpret_cast<std::uint8_t const *>(text.data()), text.size()});
}

// NOT_FOUND if absent, IO on other errors; refuses files over `limit` bytes (CORRUPT).
Result<Bytes> read_file(std::string const &path, std::size_t limit = 16u << 20);
Result<std::string> read_text(std::string const &path, std::size_t limit = 16u << 20);

Result<void> fsync_path(std::string const &path);
// rename(2) then fsync of the destination's parent directory.
Result<void> rename_durable(std::string const &from, std::string const &to);
Result<void> make_dir(std::string const &path); // mode 0700; EEXIST is fine
Result<void> remove_tree(std::string const &path);
bool exists(std::string const &path);

// Appends "<UTC time> <line>\n" to `path` (O_APPEND, 0600), best effort: an audit trail must
// never turn a refusal into a crash.
void audit(std::string const &path, std::string const &line);
std::string parent_dir(std::string const &path);

} // namespace dom::vtpm
