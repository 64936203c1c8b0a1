// SPDX-License-Identifier: MIT
// Mapping a guest's window buffer with its size checked against the declared geometry.
#include "ward/gui/shared_buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gvm
{

char const *to_string(Buffer_error e)
{
    switch (e) {
    case Buffer_error::NOT_SEALED: return "buffer is not sealed against shrinking";
    case Buffer_error::TOO_SMALL: return "buffer smaller than the declared size";
    case Buffer_error::NOT_MAPPED: return "buffer could not be mapped";
    }
    return "?";
}

hv::Result<std::unique_ptr<Shared_buffer>, Buffer_error> Shared_buffer::map(int fd, uint32_t width,
                                                                            uint32_t height)
{
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } const closer{fd};
    int const seals = ::fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK))
        return hv::unexpected(Buffer_error::NOT_SEALED);
    std::size_t const need = std::size_t{width} * height * 4;
    struct stat st
    {};
    if (::fstat(fd, &st) != 0 || st.st_size < 0 || static_cast<std::size_t>(st.st_size) < need)
        return hv::unexpected(Buffer_error::TOO_SMALL);
    void *addr = ::mmap(nullptr, need, PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED)
        return hv::unexpected(Buffer_error::NOT_MAPPED);
    std::unique_ptr<Shared_buffer> b{new Shared_buffer};
    b->addr_ = addr;
    b->len_ = need;
    b->image_ =
        QImage{static_cast<uchar const *>(addr), static_cast<int>(width), static_cast<int>(height),
               static_cast<qsizetype>(width) * 4, QImage::Format_RGB32};
    return b;
}

Shared_buffer::~Shared_buffer()
{
    image_ = QImage{};
    if (addr_)
        ::munmap(addr_, len_);
}

} // namespace gvm
