// SPDX-License-Identifier: MIT
// ward-bzimage-unpack BZIMAGE VMLINUX: writes the ELF vmlinux inside a Debian kernel's bzImage.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "bzimage.hpp"
#include "hv/elf.hpp"

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: ward-bzimage-unpack BZIMAGE VMLINUX\n");
        return 2;
    }
    std::ifstream in{argv[1], std::ios::binary};
    if (!in) {
        std::fprintf(stderr, "ward-bzimage-unpack: cannot read %s\n", argv[1]);
        return 1;
    }
    std::vector<char> const raw{std::istreambuf_iterator<char>(in), {}};
    auto const bytes = std::as_bytes(std::span{raw});
    auto const elf = dom::guests::unpack_bzimage(bytes);
    if (!elf) {
        std::fprintf(stderr, "ward-bzimage-unpack: %s: %s\n", argv[1], elf.error().message.c_str());
        return 1;
    }
    // The point of unpacking is the PVH entry: check it with the hypervisor's own ELF parser.
    auto const image = hv::elf::parse(*elf);
    if (!image) {
        std::fprintf(stderr, "ward-bzimage-unpack: %s: vmlinux is not loadable: %s\n", argv[1],
                     hv::elf::error_name(image.error()));
        return 1;
    }
    auto const entry = hv::elf::pvh_entry(*image);
    if (!entry) {
        std::fprintf(stderr, "ward-bzimage-unpack: %s: %s\n", argv[1],
                     hv::elf::error_name(entry.error()));
        return 1;
    }
    std::string const tmp = std::string{argv[2]} + ".tmp";
    {
        std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
        out.write(reinterpret_cast<char const *>(elf->data()),
                  static_cast<std::streamsize>(elf->size()));
        if (!out.flush()) {
            std::fprintf(stderr, "ward-bzimage-unpack: cannot write %s\n", tmp.c_str());
            return 1;
        }
    }
    if (std::rename(tmp.c_str(), argv[2]) != 0) {
        std::perror("ward-bzimage-unpack: rename");
        return 1;
    }
    std::printf("ward-bzimage-unpack: %s -> %s (%zu bytes, PVH entry %#x, %#lx..%#lx)\n", argv[1],
                argv[2], elf->size(), *entry, static_cast<unsigned long>(image->lowest_paddr()),
                static_cast<unsigned long>(image->end_paddr()));
    return 0;
}
