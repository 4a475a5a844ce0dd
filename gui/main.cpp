// timonel: the desktop app, or with a subcommand the command-line interface
// (timonel create cluster, get nodes, ...), with the verbs a KinD user knows.
#include "cli.h"
#include "mainwindow.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace {

// The system's language unless the user chose one in the settings (Spanish or English).
void installTranslations(QCoreApplication &app)
{
    const QString chosen = QSettings().value(QStringLiteral("language")).toString();
    const QLocale locale = chosen.isEmpty() ? QLocale() : QLocale(chosen);
    auto *ours = new QTranslator(&app);
    // English is the fallback for every other language (and for the C locale): it carries the
    // plural forms of the English source texts.
    if (ours->load(locale, QStringLiteral("timonel"), QStringLiteral("_"),
                   QStringLiteral(":/i18n")) ||
        ours->load(QStringLiteral(":/i18n/timonel_en")))
        app.installTranslator(ours);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Timonel"));
    QCoreApplication::setApplicationName(QStringLiteral("timonel"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TIMONEL_VERSION));

    if (argc > 1) {
        QCoreApplication app(argc, argv);
        installTranslations(app);
        return timonel::gui::runCli(app.arguments().mid(1));
    }
    QApplication app(argc, argv);
    installTranslations(app);
    timonel::gui::MainWindow window;
    window.show();
    return app.exec();
}
