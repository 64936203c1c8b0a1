// SPDX-License-Identifier: MIT
// manager.seal format.
#include "vtpm/sealed_key.hpp"

#include "vtpm/kv_file.hpp"

namespace dom::vtpm
{

static constexpr char const *MAGIC = "ward-vtpm-sealed-key 1";

std::string Sealed_key_file::serialize() const
{
    Kv_file f{MAGIC};
    f.set("pcrs", pcrs.to_string());
    for (auto const &[p, v] : values)
        f.set_hex("pcr." + std::to_string(p), v);
    f.set_hex("public", object.pub);
    f.set_hex("private", object.priv);
    return f.serialize();
}

Result<Sealed_key_file> Sealed_key_file::parse(std::string const &text)
{
    auto const f = HV_TRY(Kv_file::parse(text, MAGIC, "sealed manager key"));
    Sealed_key_file s;
    auto const sel = Pcr_selection::parse(HV_TRY(f.get("pcrs")));
    if (!sel)
        return fail(Errc::CORRUPT, "sealed manager key: " + sel.error().message);
    s.pcrs = *sel;
    for (auto const p : s.pcrs.pcrs) {
        auto const v = HV_TRY(f.get_hex("pcr." + std::to_string(p), 32));
        std::copy(v.begin(), v.end(), s.values[p].begin());
    }
    s.object.pub = HV_TRY(f.get_hex("public"));
    s.object.priv = HV_TRY(f.get_hex("private"));
    if (f.entries().size() != 3 + s.pcrs.pcrs.size())
        return fail(Errc::CORRUPT, "sealed manager key: unexpected fields");
    return s;
}

} // namespace dom::vtpm
