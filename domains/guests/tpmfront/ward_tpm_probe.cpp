// SPDX-License-Identifier: MIT
// ward-tpm-probe: talks TPM 2.0 to a character device (Linux's /dev/tpm0, which xen-tpmfront
// serves over the tpmif v2 grant ring) by writing raw commands and reading the responses.
//   ward-tpm-probe DEVICE [BENCH_COUNT]
// Prints "WARD-TPMFRONT: random <hex>" (TPM2_GetRandom of 16 bytes), "WARD-TPMFRONT: pcr N
// sha256 <hex>" for PCRs 8 and 9 (TPM2_PCR_Read), and with BENCH_COUNT the rate of that many
// TPM2_PCR_Read round trips. Exit 0 when every command got a TPM_RC_SUCCESS response.
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace
{

using Bytes = std::vector<std::uint8_t>;

std::uint32_t be32(std::uint8_t const *p)
{
    return static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

// One command and its response; empty on an I/O error (reported).
Bytes transact(int fd, Bytes const &cmd)
{
    if (::write(fd, cmd.data(), cmd.size()) != static_cast<ssize_t>(cmd.size())) {
        std::printf("WARD-TPMFRONT: write: %s\n", std::strerror(errno));
        return {};
    }
    Bytes resp(4096);
    ssize_t const n = ::read(fd, resp.data(), resp.size());
    if (n < 10) {
        std::printf("WARD-TPMFRONT: read: %s\n", n < 0 ? std::strerror(errno) : "short response");
        return {};
    }
    resp.resize(static_cast<std::size_t>(n));
    if (be32(&resp[2]) != resp.size()) {
        std::printf("WARD-TPMFRONT: response size field %u, read %zu\n", be32(&resp[2]),
                    resp.size());
        return {};
    }
    return resp;
}

std::string hex(std::uint8_t const *p, std::size_t n)
{
    std::string s;
    char b[3];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        s += b;
    }
    return s;
}

Bytes pcr_read_command(unsigned pcr)
{
    Bytes c = {0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e, 0, 0, 0, 1, 0x00, 0x0b, 3, 0, 0, 0};
    c[17 + pcr / 8] = static_cast<std::uint8_t>(1u << (pcr % 8));
    return c;
}

bool ok(Bytes const &r, char const *what)
{
    if (r.empty())
        return false;
    if (be32(&r[6]) != 0) {
        std::printf("WARD-TPMFRONT: %s: TPM rc 0x%x\n", what, be32(&r[6]));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: ward-tpm-probe DEVICE [BENCH_COUNT]\n");
        return 2;
    }
    int const fd = ::open(argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::printf("WARD-TPMFRONT: open %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    bool good = true;
    Bytes const rnd = transact(fd, {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16});
    if (ok(rnd, "TPM2_GetRandom") && rnd.size() == 12 + 16 && rnd[10] == 0 && rnd[11] == 16)
        std::printf("WARD-TPMFRONT: random %s\n", hex(&rnd[12], 16).c_str());
    else
        good = false, std::printf("WARD-TPMFRONT: TPM2_GetRandom FAILED\n");
    for (unsigned const pcr : {8u, 9u}) {
        Bytes const r = transact(fd, pcr_read_command(pcr));
        if (ok(r, "TPM2_PCR_Read") && r.size() == 10 + 4 + 10 + 4 + 2 + 32)
            std::printf("WARD-TPMFRONT: pcr %u sha256 %s\n", pcr,
                        hex(&r[r.size() - 32], 32).c_str());
        else
            good = false, std::printf("WARD-TPMFRONT: TPM2_PCR_Read %u FAILED\n", pcr);
    }
    if (argc == 3 && good) {
        long const n = std::strtol(argv[2], nullptr, 10);
        auto const t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < n && good; ++i)
            good = ok(transact(fd, pcr_read_command(16)), "bench TPM2_PCR_Read");
        double const s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (good)
            std::printf("WARD-TPMFRONT: bench %ld TPM2_PCR_Read in %.3f s: %.0f commands/s\n", n, s,
                        n / s);
    }
    ::close(fd);
    std::printf("WARD-TPMFRONT: %s\n", good ? "all TPM commands answered" : "TPM commands FAILED");
    return good ? 0 : 1;
}
