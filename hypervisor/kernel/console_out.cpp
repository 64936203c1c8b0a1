// SPDX-License-Identifier: MIT
// Guest console output (domain.hpp console_write/console_flush, docs/console.md): every byte goes
// to the domain's ring; the serial log gets filtered text (hv/console_input.hpp Output_filter)
// with the domain's name in front of every line. The domain with focus streams: its partial line
// (a shell prompt, the echo of what is typed) is shown at once as an open line, which any other
// output closes first. The others are buffered line by line.
#include "hv/console_input.hpp"
#include "kernel/console_focus.hpp"
#include "kernel/domain.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{
namespace
{

console::Output_filter filters[MAX_DOMAINS];
Domain const *open_owner = nullptr; // whose line is open on the serial (the focused domain)
size_t open_cols = 0;

size_t slot_of(Domain const &d)
{
    return static_cast<size_t>(&d - domains().data());
}

// Batches the streamed text of one console_write into few log calls.
class Stream
{
  public:
    explicit Stream(Domain const &d) : d_{d} {}
    Stream(Stream const &) = delete;
    Stream &operator=(Stream const &) = delete;
    ~Stream() { flush(); }

    void put(console::Out o)
    {
        switch (o.kind) {
        case console::Out_kind::DROP: return;
        case console::Out_kind::NEWLINE:
            open();
            add('\n');
            open_owner = nullptr;
            open_cols = 0;
            return;
        case console::Out_kind::BACKSPACE:
            if (open_owner == &d_ && open_cols > 0) {
                add('\b');
                --open_cols;
            }
            return;
        case console::Out_kind::CHAR:
            if (open_owner == &d_ && open_cols == CONSOLE_LINE_MAX) { // wrap long lines
                add('\n');
                open_owner = nullptr;
            }
            open();
            add(o.c);
            ++open_cols;
            return;
        }
    }

  private:
    void open()
    {
        if (open_owner == &d_)
            return;
        flush();
        console_close_line();
        log("[%s] ", d_.name.c_str());
        open_owner = &d_;
        open_cols = 0;
    }
    void add(char c)
    {
        if (len_ == sizeof buf_ - 1)
            flush();
        buf_[len_++] = c;
    }
    void flush()
    {
        if (len_ == 0)
            return;
        buf_[len_] = '\0';
        log("%s", buf_);
        len_ = 0;
    }

    Domain const &d_;
    char buf_[256];
    size_t len_ = 0;
};

} // namespace

void console_close_line()
{
    if (open_owner == nullptr)
        return;
    open_owner = nullptr;
    open_cols = 0;
    log("\n");
}

void console_flush(Domain &d)
{
    if (&d == open_owner)
        console_close_line();
    if (d.line_len == 0)
        return;
    d.line[d.line_len] = '\0';
    console_close_line();
    log("[%s] %s\n", d.name.c_str(), d.line.data());
    d.line_len = 0;
}

void console_show_open_line(Domain &d)
{
    if (d.line_len == 0)
        return;
    Stream s{d};
    for (size_t i = 0; i < d.line_len; ++i)
        s.put({console::Out_kind::CHAR, d.line[i]});
    d.line_len = 0;
}

void console_write(Domain &d, char const *bytes, size_t len)
{
    if (d.console_written == 0)
        filters[slot_of(d)] = {}; // a fresh domain in this slot
    for (size_t i = 0; i < len; ++i)
        d.console_ring[d.console_written++ % CONSOLE_RING_BYTES] = bytes[i];
    console::Output_filter &filter = filters[slot_of(d)];
    if (console_focus() == &d) {
        console_show_open_line(d); // it may just have got focus with a partial line
        Stream s{d};
        for (size_t i = 0; i < len; ++i)
            s.put(filter.feed(bytes[i]));
        return;
    }
    for (size_t i = 0; i < len; ++i) {
        console::Out const o = filter.feed(bytes[i]);
        switch (o.kind) {
        case console::Out_kind::DROP: break;
        case console::Out_kind::NEWLINE: console_flush(d); break;
        case console::Out_kind::BACKSPACE:
            if (d.line_len > 0)
                --d.line_len;
            break;
        case console::Out_kind::CHAR:
            d.line[d.line_len++] = o.c;
            if (d.line_len == CONSOLE_LINE_MAX)
                console_flush(d);
            break;
        }
    }
}

} // namespace hv::kernel
