// SPDX-License-Identifier: MIT
// Loading domain files and extending the launch measurement into a vTPM.
#include "builder/measured_launch.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "vtpm/atomic_file.hpp"

namespace dom::builder
{

static Result<vtpm::Digest> hash_file(std::string const &path)
{
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vtpm::fail(errno == ENOENT ? Errc::NOT_FOUND : Errc::IO,
                          path + ": " + std::strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    static thread_local std::uint8_t buf[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            EVP_DigestUpdate(ctx, buf, static_cast<std::size_t>(n));
    int const err = n < 0 ? errno : 0;
    ::close(fd);
    vtpm::Digest d{};
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, d.data(), &len);
    EVP_MD_CTX_free(ctx);
    if (err)
        return vtpm::fail(Errc::IO, path + ": " + std::strerror(err));
    return d;
}

Result<Launch_inputs> load_inputs(std::string const &config_path)
{
    auto const text = vtpm::read_text(config_path, 1 << 16);
    if (!text)
        return hv::unexpected(text.error());
    auto cfg = Domain_config::parse(*text);
    if (!cfg)
        return vtpm::fail(cfg.error().code, config_path + ": " + cfg.error().message);
    auto const base = vtpm::parent_dir(config_path);
    auto const resolve = [&](std::string const &p) { return p[0] == '/' ? p : base + "/" + p; };
    auto const kernel = HV_TRY(hash_file(resolve(cfg->kernel)));
    Launch_inputs in{*cfg, kernel, std::nullopt};
    if (!cfg->initramfs.empty())
        in.initramfs = HV_TRY(hash_file(resolve(cfg->initramfs)));
    return in;
}

Result<vtpm::Bytes> extend_launch(Launch_measurement const &m, vtpm::Tpm_client &tpm)
{
    auto const now = HV_TRY(tpm.read_pcrs(vtpm::Pcr_selection{{PCR_STRINGS, PCR_FILES}}));
    for (auto const &[pcr, v] : now)
        if (v != vtpm::Digest{})
            return vtpm::fail(Errc::BAD_STATE, "vTPM PCR " + std::to_string(pcr) +
                                                   " is not zero: start the vTPM with a reset "
                                                   "before measuring a launch");
    for (auto const &e : m.events)
        HV_TRY(tpm.extend(e.pcr, e.digest));
    return encode_event_log(m.events);
}

} // namespace dom::builder
