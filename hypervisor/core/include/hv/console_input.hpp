// SPDX-License-Identifier: MIT
// Console input, pure logic (docs/console.md): the escape sequence that moves the keyboard
// between domains, and the writer of the `in` ring of a Xen PV console page (struct
// xencons_interface, public/io/console.h), whose consumer index the guest controls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv::console
{

// struct xencons_interface: in[1024], out[2048], in_cons, in_prod, out_cons, out_prod (32-bit).
inline constexpr size_t PAGE_BYTES = 4096;
inline constexpr size_t IN_OFFSET = 0;
inline constexpr uint32_t IN_SIZE = 1024;
inline constexpr size_t OUT_OFFSET = 1024;
inline constexpr uint32_t OUT_SIZE = 2048;
inline constexpr size_t IN_CONS = 3072;
inline constexpr size_t IN_PROD = 3076;
inline constexpr size_t OUT_CONS = 3080;
inline constexpr size_t OUT_PROD = 3084;

// The escape byte: Ctrl-] (as `xl console` and telnet use it).
inline constexpr uint8_t ESCAPE = 0x1d;

enum class Key_action : uint8_t
{
    PASS,    // give `byte` to the domain with focus
    NONE,    // swallowed (the escape byte itself, waiting for the next one)
    NEXT,    // Ctrl-] n: focus the next domain with a console
    SELECT,  // Ctrl-] 0..9: focus domain `byte` (its id)
    LIST,    // Ctrl-] ?: list the domains with a console and who has focus
    UNKNOWN, // Ctrl-] followed by anything else: dropped (never reaches a guest)
};

struct Key
{
    Key_action action;
    uint8_t byte;
};

// Ctrl-] starts a command of one byte; Ctrl-] Ctrl-] sends one Ctrl-] to the guest.
class Escape_reader
{
  public:
    Key feed(uint8_t b)
    {
        if (!armed_) {
            if (b == ESCAPE) {
                armed_ = true;
                return {Key_action::NONE, 0};
            }
            return {Key_action::PASS, b};
        }
        armed_ = false;
        if (b == ESCAPE)
            return {Key_action::PASS, ESCAPE};
        if (b == 'n' || b == 'N')
            return {Key_action::NEXT, 0};
        if (b >= '0' && b <= '9')
            return {Key_action::SELECT, static_cast<uint8_t>(b - '0')};
        if (b == '?')
            return {Key_action::LIST, 0};
        return {Key_action::UNKNOWN, b};
    }
    bool armed() const { return armed_; }

  private:
    bool armed_ = false;
};

enum class Ring_error : uint8_t
{
    BAD_INDICES, // the guest's in_cons is not within IN_SIZE behind Ward's producer
};

inline char const *ring_error_name(Ring_error)
{
    return "console ring indices out of range";
}

// Writes as much of `bytes` as fits into the `in` ring of a console page and publishes it.
// `prod` is Ward's own producer index (the guest may scribble on in_prod in its page; Ward
// never reads it back). The guest's in_cons is read once and checked: prod - in_cons must be
// at most IN_SIZE, else nothing is written. Returns the number of bytes written (0: full).
inline Result<size_t, Ring_error> write_input(std::span<unsigned char, PAGE_BYTES> page,
                                              uint32_t &prod, std::span<char const> bytes)
{
    auto *cons_p = reinterpret_cast<uint32_t *>(page.data() + IN_CONS);
    auto *prod_p = reinterpret_cast<uint32_t *>(page.data() + IN_PROD);
    uint32_t const cons = __atomic_load_n(cons_p, __ATOMIC_ACQUIRE);
    uint32_t const used = prod - cons;
    if (used > IN_SIZE)
        return unexpected(Ring_error::BAD_INDICES);
    size_t n = 0;
    for (; n < bytes.size() && prod - cons < IN_SIZE; ++n, ++prod)
        page[IN_OFFSET + (prod & (IN_SIZE - 1))] = static_cast<unsigned char>(bytes[n]);
    __atomic_store_n(prod_p, prod, __ATOMIC_RELEASE);
    return n;
}

enum class Out_kind : uint8_t
{
    DROP,      // nothing to print
    CHAR,      // print `c` (printable ASCII)
    NEWLINE,   // end of line
    BACKSPACE, // one column back, over the domain's own text only
};

struct Out
{
    Out_kind kind;
    char c;
};

// What of a guest's console output may reach the serial terminal: printable ASCII, newlines and
// backspaces. Carriage returns are dropped, tabs become a space, escape sequences (ESC [ ... final
// byte, and ESC + one byte) are swallowed whole, any other control byte shows as '?'. A guest
// can thus neither move the cursor over another domain's name nor drive the terminal.
class Output_filter
{
  public:
    Out feed(char ch)
    {
        auto const b = static_cast<uint8_t>(ch);
        switch (state_) {
        case State::ESC: state_ = b == '[' ? State::CSI : State::TEXT; return {Out_kind::DROP, 0};
        case State::CSI:
            if (b >= 0x40 && b <= 0x7e)
                state_ = State::TEXT;
            else if (b < 0x20 || b > 0x7e || ++csi_len_ > 32) // not a CSI after all
                state_ = State::TEXT;
            return {Out_kind::DROP, 0};
        case State::TEXT: break;
        }
        if (b == 0x1b) {
            state_ = State::ESC;
            csi_len_ = 0;
            return {Out_kind::DROP, 0};
        }
        if (b == '\n')
            return {Out_kind::NEWLINE, 0};
        if (b == '\r' || b == 0x07) // carriage return, bell
            return {Out_kind::DROP, 0};
        if (b == '\b')
            return {Out_kind::BACKSPACE, 0};
        if (b == '\t')
            return {Out_kind::CHAR, ' '};
        if (b < 0x20 || b > 0x7e)
            return {Out_kind::CHAR, '?'};
        return {Out_kind::CHAR, ch};
    }

  private:
    enum class State : uint8_t
    {
        TEXT,
        ESC,
        CSI,
    };
    State state_ = State::TEXT;
    uint8_t csi_len_ = 0;
};

} // namespace hv::console
