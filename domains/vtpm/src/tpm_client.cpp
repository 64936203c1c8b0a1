// SPDX-License-Identifier: MIT
// ESAPI implementation of Tpm_client.
#include "vtpm/tpm_client.hpp"

#include <cstdio>
#include <cstring>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

namespace dom::vtpm
{

namespace
{

hv::Unexpected<Error> tpm_fail(char const *what, TSS2_RC rc)
{
    return fail(Errc::TPM, std::string(what) + " failed: " + tss_error(rc));
}

bool policy_failed(TSS2_RC rc)
{
    // Format-one code, any session/parameter number: POLICY_FAIL or PCR_CHANGED.
    return (rc & 0xFFFF00BF) == TPM2_RC_POLICY_FAIL || (rc & 0xFFFFF0FF) == TPM2_RC_PCR_CHANGED;
}

TPML_PCR_SELECTION pcr_selection(Pcr_selection const &sel)
{
    TPML_PCR_SELECTION s{};
    s.count = 1;
    s.pcrSelections[0].hash = TPM2_ALG_SHA256;
    s.pcrSelections[0].sizeofSelect = 3;
    for (auto const p : sel.pcrs)
        s.pcrSelections[0].pcrSelect[p / 8] |= static_cast<BYTE>(1u << (p % 8));
    return s;
}

// Flushes a transient handle when it goes out of scope.
struct Flush_guard
{
    ESYS_CONTEXT *ctx;
    ESYS_TR handle{ESYS_TR_NONE};
    ~Flush_guard()
    {
        if (handle != ESYS_TR_NONE)
            Esys_FlushContext(ctx, handle);
    }
};

TPM2B_PUBLIC storage_primary_template()
{
    TPM2B_PUBLIC t{};
    auto &p = t.publicArea;
    p.type = TPM2_ALG_ECC;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                         TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_NODA;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
    p.parameters.eccDetail.symmetric.keyBits.aes = 128;
    p.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    return t;
}

} // namespace

std::string tss_error(std::uint32_t rc)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%x", rc);
    return std::string(buf) + " (" + Tss2_RC_Decode(rc) + ")";
}

Result<Tpm_client> Tpm_client::connect(std::string const &tcti)
{
    Tpm_client c;
    TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &c.tcti_);
    if (rc != TSS2_RC_SUCCESS)
        return fail(Errc::TPM, "cannot reach TPM at '" + tcti + "': " + tss_error(rc));
    rc = Esys_Initialize(&c.esys_, c.tcti_, nullptr);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("Esys_Initialize", rc);
    rc = Esys_Startup(c.esys_, TPM2_SU_CLEAR);
    if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE)
        return tpm_fail("TPM2_Startup", rc);
    // A simulator reached without a resource manager keeps whatever a killed client left
    // loaded, and has only three object slots. (Through /dev/tpmrm0 the kernel flushes.)
    if (tcti.rfind("swtpm", 0) == 0 || tcti.rfind("mssim", 0) == 0)
        c.flush_stale();
    return c;
}

void Tpm_client::flush_stale()
{
    TSS2_SYS_CONTEXT *sys = nullptr;
    if (Esys_GetSysContext(esys_, &sys) != TSS2_RC_SUCCESS || !sys)
        return;
    for (TPM2_HANDLE const first : {TPM2_TRANSIENT_FIRST, TPM2_LOADED_SESSION_FIRST}) {
        TPMI_YES_NO more = TPM2_NO;
        TPMS_CAPABILITY_DATA *cap = nullptr;
        if (Esys_GetCapability(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES,
                               first, TPM2_MAX_CAP_HANDLES, &more, &cap) != TSS2_RC_SUCCESS)
            continue;
        for (UINT32 i = 0; i < cap->data.handles.count; ++i)
            (void)Tss2_Sys_FlushContext(sys, cap->data.handles.handle[i]);
        Esys_Free(cap);
    }
}

Tpm_client::Tpm_client(Tpm_client &&o) noexcept : esys_{o.esys_}, tcti_{o.tcti_}
{
    o.esys_ = nullptr;
    o.tcti_ = nullptr;
}

Tpm_client &Tpm_client::operator=(Tpm_client &&o) noexcept
{
    if (this != &o) {
        close();
        std::swap(esys_, o.esys_);
        std::swap(tcti_, o.tcti_);
    }
    return *this;
}

Tpm_client::~Tpm_client()
{
    close();
}

void Tpm_client::close()
{
    if (esys_)
        Esys_Finalize(&esys_);
    if (tcti_)
        Tss2_TctiLdr_Finalize(&tcti_);
    esys_ = nullptr;
    tcti_ = nullptr;
}

Result<Pcr_values> Tpm_client::read_pcrs(Pcr_selection const &sel)
{
    Pcr_values out;
    for (auto const p : sel.pcrs) {
        auto const one = pcr_selection(Pcr_selection{{p}});
        UINT32 counter = 0;
        TPML_PCR_SELECTION *got_sel = nullptr;
        TPML_DIGEST *values = nullptr;
        TSS2_RC const rc = Esys_PCR_Read(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &one,
                                         &counter, &got_sel, &values);
        if (rc != TSS2_RC_SUCCESS)
            return tpm_fail("TPM2_PCR_Read", rc);
        bool const ok = values->count == 1 && values->digests[0].size == 32;
        if (ok)
            std::memcpy(out[p].data(), values->digests[0].buffer, 32);
        Esys_Free(got_sel);
        Esys_Free(values);
        if (!ok)
            return fail(Errc::TPM, "PCR " + std::to_string(p) + ": no SHA-256 bank");
    }
    return out;
}

Result<void> Tpm_client::extend(unsigned pcr, Digest const &digest)
{
    if (pcr > 23)
        return fail(Errc::BAD_INPUT, "PCR index out of range");
    TPML_DIGEST_VALUES v{};
    v.count = 1;
    v.digests[0].hashAlg = TPM2_ALG_SHA256;
    std::memcpy(v.digests[0].digest.sha256, digest.data(), 32);
    TSS2_RC const rc = Esys_PCR_Extend(esys_, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                       ESYS_TR_NONE, &v);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_PCR_Extend", rc);
    return {};
}

// Starts a policy (or trial) session and runs PolicyPCR over `sel` at the current values.
static Result<ESYS_TR> pcr_session(ESYS_CONTEXT *ctx, Pcr_selection const &sel, bool trial)
{
    TPMT_SYM_DEF sym{};
    sym.algorithm = TPM2_ALG_NULL;
    ESYS_TR s = ESYS_TR_NONE;
    TSS2_RC rc = Esys_StartAuthSession(
        ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
        trial ? TPM2_SE_TRIAL : TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &s);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_StartAuthSession", rc);
    TPM2B_DIGEST empty{};
    auto const pcrs = pcr_selection(sel);
    rc = Esys_PolicyPCR(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &pcrs);
    if (rc != TSS2_RC_SUCCESS) {
        Esys_FlushContext(ctx, s);
        return tpm_fail("TPM2_PolicyPCR", rc);
    }
    return s;
}

static Result<TPM2B_DIGEST> pcr_policy_digest(ESYS_CONTEXT *ctx, Pcr_selection const &sel)
{
    Flush_guard session{ctx, HV_TRY(pcr_session(ctx, sel, true))};
    TPM2B_DIGEST *d = nullptr;
    TSS2_RC const rc =
        Esys_PolicyGetDigest(ctx, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &d);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_PolicyGetDigest", rc);
    TPM2B_DIGEST out = *d;
    Esys_Free(d);
    return out;
}

static Result<ESYS_TR> create_primary(ESYS_CONTEXT *ctx, TPM2B_PUBLIC const &tmpl,
                                      TPM2B_PUBLIC *pub_out = nullptr)
{
    TPM2B_SENSITIVE_CREATE sens{};
    TPM2B_DATA outside{};
    TPML_PCR_SELECTION creation_pcr{};
    ESYS_TR h = ESYS_TR_NONE;
    TPM2B_PUBLIC *pub = nullptr;
    TSS2_RC const rc = Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                          ESYS_TR_NONE, &sens, &tmpl, &outside, &creation_pcr, &h,
                                          &pub, nullptr, nullptr, nullptr);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_CreatePrimary", rc);
    if (pub_out)
        *pub_out = *pub;
    Esys_Free(pub);
    return h;
}

Result<Sealed_object> Tpm_client::seal(Pcr_selection const &sel,
                                       std::span<std::uint8_t const> secret)
{
    if (secret.size() > 128)
        return fail(Errc::BAD_INPUT, "sealed secret larger than 128 bytes");
    auto const policy = HV_TRY(pcr_policy_digest(esys_, sel));
    Flush_guard primary{esys_, HV_TRY(create_primary(esys_, storage_primary_template()))};

    TPM2B_SENSITIVE_CREATE sens{};
    sens.sensitive.data.size = static_cast<UINT16>(secret.size());
    std::memcpy(sens.sensitive.data.buffer, secret.data(), secret.size());
    TPM2B_PUBLIC tmpl{};
    tmpl.publicArea.type = TPM2_ALG_KEYEDHASH;
    tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
    tmpl.publicArea.objectAttributes =
        TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
    tmpl.publicArea.authPolicy = policy;
    tmpl.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
    TPM2B_DATA outside{};
    TPML_PCR_SELECTION creation_pcr{};
    TPM2B_PRIVATE *priv = nullptr;
    TPM2B_PUBLIC *pub = nullptr;
    TSS2_RC const rc =
        Esys_Create(esys_, primary.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
                    &tmpl, &outside, &creation_pcr, &priv, &pub, nullptr, nullptr, nullptr);
    std::memset(&sens, 0, sizeof sens);
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_Create (seal)", rc);
    Sealed_object out;
    out.pub.resize(sizeof(TPM2B_PUBLIC));
    out.priv.resize(sizeof(TPM2B_PRIVATE));
    size_t pub_len = 0, priv_len = 0;
    TSS2_RC const m1 = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, out.pub.data(), out.pub.size(), &pub_len);
    TSS2_RC const m2 =
        Tss2_MU_TPM2B_PRIVATE_Marshal(priv, out.priv.data(), out.priv.size(), &priv_len);
    Esys_Free(pub);
    Esys_Free(priv);
    if (m1 != TSS2_RC_SUCCESS || m2 != TSS2_RC_SUCCESS)
        return fail(Errc::TPM, "marshalling the sealed object failed");
    out.pub.resize(pub_len);
    out.priv.resize(priv_len);
    return out;
}

Result<Bytes> Tpm_client::unseal(Sealed_object const &obj, Pcr_selection const &sel)
{
    TPM2B_PUBLIC pub{};
    TPM2B_PRIVATE priv{};
    size_t off = 0;
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(obj.pub.data(), obj.pub.size(), &off, &pub) !=
            TSS2_RC_SUCCESS ||
        off != obj.pub.size())
        return fail(Errc::CORRUPT, "sealed manager key: public area does not parse");
    off = 0;
    if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(obj.priv.data(), obj.priv.size(), &off, &priv) !=
            TSS2_RC_SUCCESS ||
        off != obj.priv.size())
        return fail(Errc::CORRUPT, "sealed manager key: private area does not parse");

    Flush_guard primary{esys_, HV_TRY(create_primary(esys_, storage_primary_template()))};
    Flush_guard sealed{esys_};
    TSS2_RC rc = Esys_Load(esys_, primary.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                           &priv, &pub, &sealed.handle);
    if (rc != TSS2_RC_SUCCESS)
        return fail(Errc::CORRUPT, "sealed manager key does not load into this TPM (wrong TPM or "
                                   "damaged file): " +
                                       tss_error(rc));
    Flush_guard session{esys_, HV_TRY(pcr_session(esys_, sel, false))};
    TPM2B_SENSITIVE_DATA *data = nullptr;
    rc = Esys_Unseal(esys_, sealed.handle, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &data);
    if (policy_failed(rc))
        return fail(Errc::PCR_MISMATCH, "the platform TPM refused to unseal: " + tss_error(rc));
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_Unseal", rc);
    Bytes out(data->buffer, data->buffer + data->size);
    std::memset(data->buffer, 0, data->size);
    Esys_Free(data);
    return out;
}

static Result<TPM2B_PUBLIC> migration_template(ESYS_CONTEXT *ctx, Pcr_selection const &sel)
{
    TPM2B_PUBLIC t{};
    auto &p = t.publicArea;
    p.type = TPM2_ALG_ECC;
    p.nameAlg = TPM2_ALG_SHA256;
    // No USERWITHAUTH: every use needs the PCR policy.
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_NODA;
    p.authPolicy = HV_TRY(pcr_policy_digest(ctx, sel));
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDH;
    p.parameters.eccDetail.scheme.details.ecdh.hashAlg = TPM2_ALG_SHA256;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    // A distinct unique field keeps this primary apart from any other ECC primary.
    static char const tag[] = "ward-vtpm migration";
    p.unique.ecc.x.size = sizeof tag - 1;
    std::memcpy(p.unique.ecc.x.buffer, tag, sizeof tag - 1);
    return t;
}

Result<Ecc_point> Tpm_client::migration_key(Pcr_selection const &sel)
{
    TPM2B_PUBLIC pub{};
    Flush_guard key{esys_,
                    HV_TRY(create_primary(esys_, HV_TRY(migration_template(esys_, sel)), &pub))};
    auto const &e = pub.publicArea.unique.ecc;
    if (e.x.size != 32 || e.y.size != 32)
        return fail(Errc::TPM, "migration key: unexpected point size");
    return Ecc_point{Bytes(e.x.buffer, e.x.buffer + 32), Bytes(e.y.buffer, e.y.buffer + 32)};
}

Result<Bytes> Tpm_client::ecdh_zgen(Pcr_selection const &sel, Ecc_point const &point)
{
    if (point.x.size() != 32 || point.y.size() != 32)
        return fail(Errc::BAD_INPUT, "ECDH point coordinates must be 32 bytes");
    Flush_guard key{esys_, HV_TRY(create_primary(esys_, HV_TRY(migration_template(esys_, sel))))};
    Flush_guard session{esys_, HV_TRY(pcr_session(esys_, sel, false))};
    TPM2B_ECC_POINT in{};
    in.point.x.size = 32;
    in.point.y.size = 32;
    std::memcpy(in.point.x.buffer, point.x.data(), 32);
    std::memcpy(in.point.y.buffer, point.y.data(), 32);
    TPM2B_ECC_POINT *out = nullptr;
    TSS2_RC const rc =
        Esys_ECDH_ZGen(esys_, key.handle, session.handle, ESYS_TR_NONE, ESYS_TR_NONE, &in, &out);
    if (policy_failed(rc))
        return fail(Errc::PCR_MISMATCH,
                    "the platform TPM refused the migration key: " + tss_error(rc));
    if (rc != TSS2_RC_SUCCESS)
        return tpm_fail("TPM2_ECDH_ZGen", rc);
    Bytes z(out->point.x.buffer, out->point.x.buffer + out->point.x.size);
    Esys_Free(out);
    if (z.size() != 32)
        return fail(Errc::TPM, "ECDH_ZGen: unexpected size");
    return z;
}

} // namespace dom::vtpm
