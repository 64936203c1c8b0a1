// SPDX-License-Identifier: MIT
// ward-guid: the GUI domain's daemon. Shows the composed screen in a Qt window (an X display on
// a host) or through KMS (--output kms, the GUI domain), connects to each guest's GUI agent over
// vchan and frames its windows in the colour of its coalition.
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QTimer>
#include <cstdio>
#include <string_view>

#include "ward/gui/compositor.hpp"
#ifdef WARD_GUI_POLICY
#include "ward/gui/policy_label_colours.hpp"
#endif
#include "ward/gui/kms_backend.hpp"
#include "ward/gui/window_backend.hpp"

namespace
{

struct Pending
{
    gvm::Domain_spec spec;
    dom::vchan::Endpoint ep;
};

// "name:label:domid"
std::optional<gvm::Domain_spec> parse_domain(QString const &s)
{
    QStringList const f = s.split(QLatin1Char(':'));
    bool ok = false;
    unsigned const domid = f.size() == 3 ? f[2].toUInt(&ok) : 0;
    if (!ok || f[0].isEmpty() || f[1].isEmpty())
        return std::nullopt;
    return gvm::Domain_spec{f[0], f[1], domid};
}

std::optional<gvm::Paste_rule> parse_rule(QString const &s)
{
    if (s == QLatin1String("allow"))
        return gvm::Paste_rule::ALLOW;
    if (s == QLatin1String("ask"))
        return gvm::Paste_rule::ASK;
    if (s == QLatin1String("deny"))
        return gvm::Paste_rule::DENY;
    return std::nullopt;
}

int fail(char const *what, QString const &why)
{
    std::fprintf(stderr, "ward-guid: %s: %s\n", what, qPrintable(why));
    return 2;
}

// "--output kms[:path]" draws through KMS, not a Qt window: Qt then needs no display at all.
bool kms_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view const a = argv[i];
        if ((a == "--output" && i + 1 < argc && std::string_view(argv[i + 1]).starts_with("kms")) ||
            a.starts_with("--output=kms"))
            return true;
    }
    return false;
}

int run(int argc, char **argv)
{
    if (kms_requested(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app{argc, argv};
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Ward GUI daemon"));
    p.addHelpOption();
    p.addOption({QStringLiteral("policy"),
                 QStringLiteral("ACM policy (XML or binary) giving each label's coalition colour"),
                 QStringLiteral("file")});
    p.addOption({QStringLiteral("colours"),
                 QStringLiteral("label colours: '<label> <coalition> #rrggbb' per line"),
                 QStringLiteral("file")});
    p.addOption({QStringLiteral("vchan-dir"), QStringLiteral("vchan socket directory"),
                 QStringLiteral("dir")});
    p.addOption({QStringLiteral("domain"), QStringLiteral("a guest: name:label:domid (repeatable)"),
                 QStringLiteral("spec")});
    p.addOption({QStringLiteral("screen"), QStringLiteral("screen size WxH"),
                 QStringLiteral("size"), QStringLiteral("1280x800")});
    p.addOption({QStringLiteral("paste"), QStringLiteral("cross-coalition paste: allow|ask|deny"),
                 QStringLiteral("rule"), QStringLiteral("ask")});
    p.addOption({QStringLiteral("clipboard-max"), QStringLiteral("clipboard size limit in bytes"),
                 QStringLiteral("n"), QStringLiteral("64000")});
    p.addOption({QStringLiteral("output"),
                 QStringLiteral("window (a Qt window) or kms[:/dev/dri/cardN] (first card if no "
                                "path; the screen size is the connector's preferred mode)"),
                 QStringLiteral("backend"), QStringLiteral("window")});
    p.addOption({QStringLiteral("exit-after"), QStringLiteral("quit after this many ms (tests)"),
                 QStringLiteral("ms")});
    p.process(app);

    if (p.isSet(QStringLiteral("policy")) == p.isSet(QStringLiteral("colours")) ||
        !p.isSet(QStringLiteral("vchan-dir")))
        return fail("usage",
                    QStringLiteral("--vchan-dir and one of --policy, --colours are required"));
    std::unique_ptr<gvm::Label_colours> colours;
    if (p.isSet(QStringLiteral("colours"))) {
        auto c = gvm::Static_label_colours::load(p.value(QStringLiteral("colours")));
        if (!c)
            return fail("colours", c.error());
        colours = std::make_unique<gvm::Static_label_colours>(std::move(*c));
    } else {
#ifdef WARD_GUI_POLICY
        auto c = gvm::Policy_label_colours::load(p.value(QStringLiteral("policy")).toStdString());
        if (!c)
            return fail("policy", c.error());
        colours = std::make_unique<gvm::Policy_label_colours>(std::move(*c));
#else
        return fail("policy", QStringLiteral("built without the policy library; use --colours"));
#endif
    }
    gvm::Compositor_config cfg;
    QStringList const wh = p.value(QStringLiteral("screen")).split(QLatin1Char('x'));
    if (wh.size() != 2 || wh[0].toInt() < 320 || wh[1].toInt() < 200)
        return fail("screen", QStringLiteral("expected WxH, at least 320x200"));
    cfg.layout.screen = QSize(wh[0].toInt(), wh[1].toInt());
    auto rule = parse_rule(p.value(QStringLiteral("paste")));
    if (!rule)
        return fail("paste", QStringLiteral("expected allow, ask or deny"));
    cfg.clipboard.cross_coalition = *rule;
    bool ok = false;
    cfg.clipboard.max_bytes = p.value(QStringLiteral("clipboard-max")).toUInt(&ok);
    if (!ok || cfg.clipboard.max_bytes < 256 || cfg.clipboard.max_bytes > gvm::proto::MAX_CLIPBOARD)
        return fail("clipboard-max", QStringLiteral("expected 256..256000"));

    std::vector<Pending> pending;
    for (QString const &d : p.values(QStringLiteral("domain"))) {
        auto spec = parse_domain(d);
        if (!spec)
            return fail("domain", QStringLiteral("expected name:label:domid, got '%1'").arg(d));
        if (!colours->lookup(spec->label))
            return fail("domain", QStringLiteral("label '%1' has no colour").arg(spec->label));
        pending.push_back({*spec,
                           {p.value(QStringLiteral("vchan-dir")).toStdString(), spec->domid, 0,
                            gvm::proto::VCHAN_PORT}});
    }

    QString const output = p.value(QStringLiteral("output"));
    std::unique_ptr<gvm::Kms_backend> kms;
    std::unique_ptr<gvm::Window_backend> window;
    gvm::Backend *backend = nullptr;
    if (output == QLatin1String("kms") || output.startsWith(QLatin1String("kms:"))) {
        std::string const path = output.size() > 4 ? output.mid(4).toStdString() : std::string();
        auto out = gvm::kms::Output::open(path);
        if (!out)
            return fail("kms", QString::fromStdString(out.error().message));
        std::printf("ward-guid: kms %s\n", (*out)->describe().c_str());
        kms = std::make_unique<gvm::Kms_backend>(std::move(*out));
        cfg.layout.screen = kms->size();
        backend = kms.get();
    } else if (output == QLatin1String("window")) {
        window = std::make_unique<gvm::Window_backend>(cfg.layout.screen);
        backend = window.get();
    } else {
        return fail("output",
                    QStringLiteral("expected window or kms[:path], got '%1'").arg(output));
    }
    gvm::Compositor comp{cfg, *colours, *backend};
    if (window) {
        window->attach(&comp);
        window->show();
    }
    QObject::connect(&comp, &gvm::Compositor::domain_disconnected, [](QString d, QString why) {
        std::fprintf(stderr, "ward-guid: %s disconnected: %s\n", qPrintable(d), qPrintable(why));
    });
    // Agents may start after the daemon: keep trying those not connected yet.
    QTimer retry;
    QObject::connect(&retry, &QTimer::timeout, [&] {
        std::erase_if(pending, [&](Pending const &d) {
            auto s = comp.connect_domain(d.spec, d.ep);
            if (s)
                std::printf("ward-guid: connected to %s\n", qPrintable(d.spec.name));
            return s.has_value();
        });
        std::fflush(stdout);
    });
    retry.start(200);
    if (p.isSet(QStringLiteral("exit-after")))
        QTimer::singleShot(p.value(QStringLiteral("exit-after")).toInt(), &app,
                           &QGuiApplication::quit);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    try {
        return run(argc, argv);
    } catch (std::exception const &e) {
        std::fprintf(stderr, "ward-guid: %s\n", e.what());
        return 1;
    }
}
