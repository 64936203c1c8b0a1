// SPDX-License-Identifier: MIT
// libFuzzer harness: bzImage header parsing and XZ payload unpacking must refuse, never crash.
#include "bzimage.hpp"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    auto const bytes = std::as_bytes(std::span{data, size});
    (void)dom::guests::parse_bzimage_header(bytes);
    (void)dom::guests::unpack_bzimage(bytes, 1u << 20);
    return 0;
}
