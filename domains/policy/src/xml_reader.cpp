// SPDX-License-Identifier: MIT
// ACM XML to Source. Element names and nesting follow Xen's ACM security_policy.xsd; Ward's
// coalition colours come from <?ward-colour type="..." colour="#rrggbb"?> processing
// instructions, which schema validation and the old ACM tools ignore (docs/policy.md).
#include "xml_reader.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace ward::policy::detail
{
namespace
{

constexpr char const *ACM_NS = "http://www.ibm.com";

struct Capture
{
    Error err;
    bool has = false;
};

std::string trim(std::string_view s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
        ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
        --e;
    return std::string{s.substr(b, e - b)};
}

// libxml2's structured error callback for this parser context only (no global handler).
void on_error(void *, xmlErrorPtr e)
{
    if (e == nullptr || e->ctxt == nullptr || e->level < XML_ERR_ERROR)
        return;
    auto *ctxt = static_cast<xmlParserCtxtPtr>(e->ctxt);
    auto *cap = static_cast<Capture *>(ctxt->_private);
    if (cap == nullptr || cap->has)
        return;
    cap->has = true;
    cap->err.line = e->line;
    cap->err.column = e->int2;
    cap->err.message = trim(e->message != nullptr ? e->message : "malformed XML");
    cap->err.element = ctxt->name != nullptr ? reinterpret_cast<char const *>(ctxt->name) : "";
}

struct Doc_free
{
    void operator()(xmlDoc *d) const { xmlFreeDoc(d); }
};
struct Ctxt_free
{
    void operator()(xmlParserCtxt *c) const { xmlFreeParserCtxt(c); }
};

char const *name_of(xmlNodePtr n)
{
    return reinterpret_cast<char const *>(n->name);
}

// "<Element>"
std::string tag(xmlNodePtr n)
{
    std::string s{"<"};
    s += name_of(n);
    s += '>';
    return s;
}

bool is(xmlNodePtr n, char const *name)
{
    return std::strcmp(name_of(n), name) == 0;
}

int line_of(xmlNodePtr n)
{
    return static_cast<int>(xmlGetLineNo(n));
}

bool blank(xmlChar const *s)
{
    for (; s != nullptr && *s != 0; ++s)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

class Reader
{
  public:
    explicit Reader(std::string const &file) { src_.file = file; }

    hv::Result<Source, Error> run(xmlDocPtr doc);

  private:
    hv::Unexpected<Error> fail(xmlNodePtr n, std::string msg) const
    {
        return hv::unexpected(Error{src_.file, n != nullptr ? line_of(n) : 0, 0,
                                    n != nullptr ? name_of(n) : "", std::move(msg)});
    }
    hv::Result<std::vector<xmlNodePtr>, Error> children(xmlNodePtr n) const;
    hv::Result<std::string, Error> text(xmlNodePtr n) const;
    hv::Result<void, Error> header(xmlNodePtr n);
    hv::Result<void, Error> version(xmlNodePtr n);
    hv::Result<void, Error> type_list(xmlNodePtr n, std::vector<Ref> &out) const;
    hv::Result<void, Error> ste(xmlNodePtr n);
    hv::Result<void, Error> chinese_wall(xmlNodePtr n);
    hv::Result<void, Error> conflict_sets(xmlNodePtr n);
    hv::Result<void, Error> label_template(xmlNodePtr n);
    hv::Result<void, Error> label(xmlNodePtr n, bool resource);
    hv::Result<void, Error> colours(xmlNodePtr first);
    hv::Result<void, Error> colour(xmlNodePtr pi);

    Source src_;
};

// The element children of n; text other than whitespace, or foreign elements, are errors.
hv::Result<std::vector<xmlNodePtr>, Error> Reader::children(xmlNodePtr n) const
{
    std::vector<xmlNodePtr> out;
    for (xmlNodePtr c = n->children; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (c->ns != nullptr &&
                std::strcmp(reinterpret_cast<char const *>(c->ns->href), ACM_NS) != 0)
                return fail(c, std::string{"element "} + tag(c) + " in namespace '" +
                                   reinterpret_cast<char const *>(c->ns->href) +
                                   "' is not part of the ACM policy format");
            out.push_back(c);
        } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                   !blank(c->content)) {
            return fail(n, std::string{"unexpected text in "} + tag(n));
        } else if (c->type == XML_ENTITY_REF_NODE) {
            return fail(n, "entity references are not accepted in a policy");
        }
    }
    return out;
}

hv::Result<std::string, Error> Reader::text(xmlNodePtr n) const
{
    std::string s;
    for (xmlNodePtr c = n->children; c != nullptr; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            s += reinterpret_cast<char const *>(c->content);
        else if (c->type == XML_ELEMENT_NODE)
            return fail(c, tag(n) + " must hold text, not an element");
        else if (c->type == XML_ENTITY_REF_NODE)
            return fail(n, "entity references are not accepted in a policy");
    }
    s = trim(s);
    if (s.empty())
        return fail(n, tag(n) + " is empty");
    for (unsigned char const ch : s)
        if (ch < 0x20 || ch == 0x7f)
            return fail(n, std::string{"control character in "} + tag(n));
    return s;
}

hv::Result<void, Error> Reader::version(xmlNodePtr n)
{
    std::string const v = HV_TRY(text(n));
    // <Version>a.b</Version> with 1 to 8 digits on each side, as in the ACM schema.
    size_t const dot = v.find('.');
    auto digits = [](std::string_view d) {
        if (d.empty() || d.size() > 8)
            return false;
        for (char const c : d)
            if (c < '0' || c > '9')
                return false;
        return true;
    };
    if (dot == std::string::npos || !digits(std::string_view{v}.substr(0, dot)) ||
        !digits(std::string_view{v}.substr(dot + 1)))
        return fail(n, "version '" + v + "' is not of the form MAJOR.MINOR");
    src_.major = static_cast<uint32_t>(std::stoul(v.substr(0, dot)));
    src_.minor = static_cast<uint32_t>(std::stoul(v.substr(dot + 1)));
    return hv::ok;
}

hv::Result<void, Error> Reader::header(xmlNodePtr n)
{
    bool have_name = false, have_version = false;
    for (xmlNodePtr c : HV_TRY(children(n))) {
        if (is(c, "PolicyName")) {
            src_.name = HV_TRY(text(c));
            have_name = true;
        } else if (is(c, "Version")) {
            HV_TRY(version(c));
            have_version = true;
        } else if (is(c, "PolicyUrl") || is(c, "Reference") || is(c, "Date") ||
                   is(c, "NameSpaceUrl") || is(c, "FromPolicy")) {
            continue; // informative only
        } else {
            return fail(c, std::string{"unknown element "} + tag(c) + " in <PolicyHeader>");
        }
    }
    if (!have_name)
        return fail(n, "<PolicyHeader> has no <PolicyName>");
    // <Version> is optional in the ACM schema; a policy without one is version 0.0.
    (void)have_version;
    return hv::ok;
}

hv::Result<void, Error> Reader::type_list(xmlNodePtr n, std::vector<Ref> &out) const
{
    auto const kids = HV_TRY(children(n));
    if (kids.empty())
        return fail(n, tag(n) + " lists no <Type>");
    for (xmlNodePtr c : kids) {
        if (!is(c, "Type"))
            return fail(c, std::string{"unknown element "} + tag(c) + " in <" + name_of(n) +
                               ">, expected <Type>");
        out.push_back(Ref{HV_TRY(text(c)), line_of(c)});
    }
    return hv::ok;
}

hv::Result<void, Error> Reader::ste(xmlNodePtr n)
{
    auto const kids = HV_TRY(children(n));
    if (kids.size() != 1 || !is(kids[0], "SimpleTypeEnforcementTypes"))
        return fail(n, "<SimpleTypeEnforcement> must hold one <SimpleTypeEnforcementTypes>");
    std::vector<Ref> types;
    HV_TRY(type_list(kids[0], types));
    for (auto &t : types)
        src_.ste.push_back(Type_def{std::move(t.name), t.line});
    return hv::ok;
}

hv::Result<void, Error> Reader::conflict_sets(xmlNodePtr n)
{
    src_.conflict_sets_line = line_of(n);
    auto const kids = HV_TRY(children(n));
    if (kids.empty())
        return fail(n, "<ConflictSets> is empty: list at least one <Conflict> or leave it out");
    for (xmlNodePtr c : kids) {
        if (!is(c, "Conflict"))
            return fail(c, std::string{"unknown element "} + tag(c) + " in <ConflictSets>");
        xmlChar *name = xmlGetProp(c, reinterpret_cast<xmlChar const *>("name"));
        if (name == nullptr)
            return fail(c, "<Conflict> has no name attribute");
        Conflict_def set{trim(reinterpret_cast<char const *>(name)), line_of(c), {}};
        xmlFree(name);
        if (set.name.empty())
            return fail(c, "<Conflict> has an empty name");
        // An empty <Conflict/> is reported by the checker with the set's name.
        if (c->children != nullptr)
            for (xmlNodePtr t : HV_TRY(children(c))) {
                if (!is(t, "Type"))
                    return fail(t, "unknown element <" + std::string{name_of(t)} +
                                       "> in <Conflict>, expected <Type>");
                set.types.push_back(Ref{HV_TRY(text(t)), line_of(t)});
            }
        src_.conflicts.push_back(std::move(set));
    }
    return hv::ok;
}

hv::Result<void, Error> Reader::chinese_wall(xmlNodePtr n)
{
    bool have_types = false;
    for (xmlNodePtr c : HV_TRY(children(n))) {
        if (is(c, "ChineseWallTypes") && !have_types) {
            std::vector<Ref> types;
            HV_TRY(type_list(c, types));
            for (auto &t : types)
                src_.cw.push_back(Type_def{std::move(t.name), t.line});
            have_types = true;
        } else if (is(c, "ConflictSets") && src_.conflict_sets_line == 0) {
            HV_TRY(conflict_sets(c));
        } else {
            return fail(c, std::string{"unexpected element "} + tag(c) + " in <ChineseWall>");
        }
    }
    if (!have_types)
        return fail(n, "<ChineseWall> has no <ChineseWallTypes>");
    return hv::ok;
}

hv::Result<void, Error> Reader::label(xmlNodePtr n, bool resource)
{
    Label_def l;
    l.resource = resource;
    l.line = line_of(n);
    bool have_name = false;
    for (xmlNodePtr c : HV_TRY(children(n))) {
        if (is(c, "Name") && !have_name) {
            l.name = HV_TRY(text(c));
            if (xmlChar *from = xmlGetProp(c, reinterpret_cast<xmlChar const *>("from"))) {
                l.from = trim(reinterpret_cast<char const *>(from));
                xmlFree(from);
                if (l.from->empty())
                    return fail(c, "empty 'from' attribute on <Name>");
            }
            have_name = true;
        } else if (is(c, "SimpleTypeEnforcementTypes")) {
            HV_TRY(type_list(c, l.ste));
        } else if (is(c, "ChineseWallTypes") && !resource) {
            HV_TRY(type_list(c, l.cw));
        } else {
            return fail(c,
                        std::string{"unexpected element "} + tag(c) + " in <" + name_of(n) + ">");
        }
    }
    if (!have_name)
        return fail(n, tag(n) + " has no <Name>");
    src_.labels.push_back(std::move(l));
    return hv::ok;
}

hv::Result<void, Error> Reader::label_template(xmlNodePtr n)
{
    src_.template_line = line_of(n);
    for (xmlNodePtr c : HV_TRY(children(n))) {
        bool const subjects = is(c, "SubjectLabels");
        if (!subjects && !is(c, "ObjectLabels"))
            return fail(c, "unexpected element <" + std::string{name_of(c)} +
                               "> in <SecurityLabelTemplate>");
        if (subjects) {
            if (src_.bootstrap)
                return fail(c, "duplicate <SubjectLabels>");
            xmlChar *b = xmlGetProp(c, reinterpret_cast<xmlChar const *>("bootstrap"));
            if (b == nullptr)
                return fail(c, "missing bootstrap label: <SubjectLabels> needs a bootstrap "
                               "attribute naming the label of the first, trusted domain");
            src_.bootstrap = Ref{trim(reinterpret_cast<char const *>(b)), line_of(c)};
            xmlFree(b);
        }
        char const *const want = subjects ? "VirtualMachineLabel" : "ResourceLabel";
        for (xmlNodePtr l : HV_TRY(children(c))) {
            if (!is(l, want))
                return fail(l, std::string{"unexpected element "} + tag(l) + " in <" + name_of(c) +
                                   ">, expected <" + want + ">");
            HV_TRY(label(l, !subjects));
        }
    }
    return hv::ok;
}

// <?ward-colour type="ste_personal" colour="#2e7d32"?>
hv::Result<void, Error> Reader::colour(xmlNodePtr pi)
{
    std::string const body =
        pi->content != nullptr ? reinterpret_cast<char const *>(pi->content) : "";
    Colour_def c;
    c.line = line_of(pi);
    bool have_type = false, have_colour = false;
    size_t i = 0;
    while (true) {
        while (i < body.size() &&
               (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
            ++i;
        if (i >= body.size())
            break;
        size_t const eq = body.find('=', i);
        if (eq == std::string::npos || eq + 1 >= body.size() ||
            (body[eq + 1] != '"' && body[eq + 1] != '\''))
            return fail(pi, "ward-colour: expected key=\"value\" pairs");
        std::string const key = trim(std::string_view{body}.substr(i, eq - i));
        size_t const close = body.find(body[eq + 1], eq + 2);
        if (close == std::string::npos)
            return fail(pi, "ward-colour: unterminated value");
        std::string const value = body.substr(eq + 2, close - eq - 2);
        i = close + 1;
        if (key == "type") {
            c.type = value;
            have_type = !value.empty();
        } else if (key == "colour" || key == "color") {
            bool good = value.size() == 7 && value[0] == '#';
            for (size_t k = 1; good && k < 7; ++k)
                good = std::isxdigit(static_cast<unsigned char>(value[k])) != 0;
            if (!good)
                return fail(pi, "ward-colour: colour '" + value + "' is not #rrggbb");
            c.rgb = static_cast<uint32_t>(std::stoul(value.substr(1), nullptr, 16));
            have_colour = true;
        } else {
            return fail(pi, "ward-colour: unknown key '" + key + "'");
        }
    }
    if (!have_type || !have_colour)
        return fail(pi, "ward-colour needs type=\"STE type\" and colour=\"#rrggbb\"");
    src_.colours.push_back(std::move(c));
    return hv::ok;
}

hv::Result<void, Error> Reader::colours(xmlNodePtr first)
{
    for (xmlNodePtr n = first; n != nullptr; n = n->next) {
        if (n->type == XML_PI_NODE && is(n, "ward-colour"))
            HV_TRY(colour(n));
        if (n->type == XML_ELEMENT_NODE)
            HV_TRY(colours(n->children));
    }
    return hv::ok;
}

hv::Result<Source, Error> Reader::run(xmlDocPtr doc)
{
    xmlNodePtr const root = xmlDocGetRootElement(doc);
    if (root == nullptr)
        return fail(nullptr, "no root element");
    if (!is(root, "SecurityPolicyDefinition"))
        return fail(root, "root element is <" + std::string{name_of(root)} +
                              ">, expected <SecurityPolicyDefinition>");
    if (root->ns != nullptr &&
        std::strcmp(reinterpret_cast<char const *>(root->ns->href), ACM_NS) != 0)
        return fail(root, std::string{"namespace '"} +
                              reinterpret_cast<char const *>(root->ns->href) +
                              "' is not the ACM namespace " + ACM_NS);
    bool header_seen = false, ste_seen = false, cw_seen = false, template_seen = false;
    for (xmlNodePtr c : HV_TRY(children(root))) {
        auto const once = [&](bool &seen) -> hv::Result<void, Error> {
            if (seen)
                return fail(c, std::string{"duplicate "} + tag(c));
            seen = true;
            return hv::ok;
        };
        if (is(c, "PolicyHeader")) {
            HV_TRY(once(header_seen));
            HV_TRY(header(c));
        } else if (is(c, "SimpleTypeEnforcement")) {
            HV_TRY(once(ste_seen));
            HV_TRY(ste(c));
        } else if (is(c, "ChineseWall")) {
            HV_TRY(once(cw_seen));
            HV_TRY(chinese_wall(c));
        } else if (is(c, "SecurityLabelTemplate")) {
            HV_TRY(once(template_seen));
            HV_TRY(label_template(c));
        } else {
            return fail(c, "unknown element <" + std::string{name_of(c)} +
                               "> in <SecurityPolicyDefinition>");
        }
    }
    if (!header_seen)
        return fail(root, "no <PolicyHeader>");
    if (!template_seen)
        return fail(root, "no <SecurityLabelTemplate>");
    if (!src_.bootstrap)
        return fail(root, "missing bootstrap label: the policy has no <SubjectLabels "
                          "bootstrap=\"...\">");
    HV_TRY(colours(doc->children));
    return std::move(src_);
}

} // namespace

hv::Result<Source, Error> read_xml(std::string_view text, std::string const &file)
{
    if (text.empty())
        return hv::unexpected(Error{file, 0, 0, "", "empty file: not an XML policy"});
    if (text.size() > MAX_XML_SIZE)
        return hv::unexpected(Error{file, 0, 0, "", "policy file larger than 64 MiB"});
    xmlInitParser();
    std::unique_ptr<xmlParserCtxt, Ctxt_free> ctxt{
        xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size()))};
    if (!ctxt)
        return hv::unexpected(Error{file, 0, 0, "", "cannot create an XML parser"});
    Capture cap;
    ctxt->_private = &cap;
    ctxt->sax->serror = on_error;
    ctxt->sax->warning = nullptr;
    ctxt->vctxt.error = nullptr;
    ctxt->vctxt.warning = nullptr;
    // No network, no entity substitution, no DTD loading; large line numbers kept.
    xmlCtxtUseOptions(ctxt.get(), XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING |
                                      XML_PARSE_NOERROR);
    ctxt->sax->serror = on_error;
    int const rc = xmlParseDocument(ctxt.get());
    std::unique_ptr<xmlDoc, Doc_free> doc{ctxt->myDoc};
    ctxt->myDoc = nullptr;
    if (rc != 0 || !ctxt->wellFormed || !doc) {
        Error e = cap.has ? cap.err : Error{file, 0, 0, "", "malformed XML"};
        e.file = file;
        e.message = "malformed XML: " + e.message;
        return hv::unexpected(e);
    }
    if (doc->intSubset != nullptr || doc->extSubset != nullptr)
        return hv::unexpected(Error{
            file,
            doc->intSubset != nullptr ? line_of(reinterpret_cast<xmlNodePtr>(doc->intSubset)) : 0,
            0, "!DOCTYPE", "a policy must not carry a DOCTYPE (no DTDs or entities)"});
    return Reader{file}.run(doc.get());
}

} // namespace ward::policy::detail
