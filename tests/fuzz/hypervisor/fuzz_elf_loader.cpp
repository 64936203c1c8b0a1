// SPDX-License-Identifier: MIT
// Fuzzes the ELF/PVH parser and the segment loader: whatever the bytes, parse() either fails
// cleanly or returns segments that lie inside the file, never overlap and have filesz <= memsz,
// and loading them through a bounded sink touches only the file's bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/elf.hpp"

namespace
{

struct Checking_sink
{
    uint64_t guest_bytes;
    uint64_t sum = 0;
    bool copy(uint64_t gpa, std::span<std::byte const> b)
    {
        if (gpa > guest_bytes || b.size() > guest_bytes - gpa)
            return false;
        for (std::byte c : b)
            sum += static_cast<uint8_t>(c); // reads every byte: ASan checks the bounds
        return true;
    }
    bool zero(uint64_t gpa, uint64_t len) { return gpa <= guest_bytes && len <= guest_bytes - gpa; }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    std::span<std::byte const> const file{reinterpret_cast<std::byte const *>(data), size};
    auto const image = hv::elf::parse(file);
    if (!image) {
        if (hv::elf::error_name(image.error())[0] == '\0')
            __builtin_trap();
        return 0;
    }
    auto const segs = image->segments();
    for (size_t i = 0; i < segs.size(); ++i) {
        auto const &s = segs[i];
        if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset || s.memsz == 0)
            __builtin_trap();
        for (size_t j = 0; j < i; ++j)
            if (s.paddr < segs[j].paddr + segs[j].memsz && segs[j].paddr < s.paddr + s.memsz)
                __builtin_trap();
    }
    if (auto const entry = hv::elf::pvh_entry(*image); entry) {
        if (*entry < image->lowest_paddr() || *entry >= image->end_paddr())
            __builtin_trap();
    }
    Checking_sink sink{64ull << 20};
    if (hv::elf::check_fits(*image, sink.guest_bytes)) {
        if (!hv::elf::load_segments(*image, file, sink))
            __builtin_trap(); // fits, so every copy must be accepted
    }
    return 0;
}
