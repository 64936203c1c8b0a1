// SPDX-License-Identifier: MIT
// Framing and structural validation of the GUI protocol (docs/gui-protocol.md, "Validation").
// Pure: no I/O, no Qt. Semantic rules (window ownership, geometry) are the compositor's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hv/result.hpp"
#include "ward/gui/message.hpp"

namespace gvm::proto
{

// The exact body length a header must declare, decided from the header alone so that no read
// is ever sized by an unchecked untrusted_len.
hv::Result<std::size_t, Violation> body_length(Header const &h, Direction from);

// Decodes one body whose length body_length() accepted.
hv::Result<Message, Violation> decode(Header const &h, std::span<uint8_t const> body,
                                      Direction from);

// Negotiates the version an agent announced: same major, minor = min(agent, ours).
hv::Result<uint32_t, Violation> negotiate(uint32_t agent_version);

// Incremental parser over a byte stream. Buffers at most one message.
class Stream_parser
{
  public:
    explicit Stream_parser(Direction from) : from_{from} {}

    void feed(std::span<uint8_t const> bytes);
    // The next complete message, nullopt if more bytes are needed, or the violation that ends
    // the stream (after which the parser stays failed).
    hv::Result<std::optional<Message>, Violation> next();
    std::size_t buffered() const { return buf_.size() - pos_; }

  private:
    Direction from_;
    std::vector<uint8_t> buf_;
    std::size_t pos_ = 0;
    std::optional<Violation> failed_;
};

} // namespace gvm::proto
