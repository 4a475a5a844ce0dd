// Spanish and English are part of the product: every user-visible string of the sources must be
// in translations/ (lupdate run afresh here finds no string the .ts files lack), and the Spanish
// one must be translated, with the same placeholders.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

namespace {

struct Message
{
    QString context;
    QString source;
    QStringList translations; // one, or the numerus forms
    bool unfinished = false;
    bool numerus = false;
};

QList<Message> readTs(const QString &path)
{
    QList<Message> messages;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return messages;
    QXmlStreamReader xml(&f);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name"))
            context = xml.readElementText();
        else if (name == QLatin1String("message")) {
            current =
                Message{context,
                        {},
                        {},
                        false,
                        xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes")};
        } else if (name == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            current.unfinished =
                xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            if (!current.numerus)
                current.translations = {xml.readElementText()};
            else {
                while (xml.readNextStartElement())
                    current.translations.append(xml.readElementText());
            }
            messages.append(current);
        }
    }
    return messages;
}

QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(?:L?\\d+|n)"));
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found.append(it.next().captured());
    found.sort();
    return found;
}

QString tsPath(const char *language)
{
    return qEnvironmentVariable("TIMONEL_SOURCE_DIR") +
           QStringLiteral("/translations/timonel_%1.ts").arg(QLatin1String(language));
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void spanishIsCompleteWithTheSamePlaceholders()
    {
        const QList<Message> messages = readTs(tsPath("es"));
        QVERIFY(messages.size() > 50);
        for (const Message &m : messages) {
            const QByteArray where = (m.context + QStringLiteral(": ") + m.source).toUtf8();
            QVERIFY2(!m.unfinished, where.constData());
            QVERIFY2(!m.translations.isEmpty() && !m.translations.first().isEmpty(),
                     where.constData());
            for (const QString &t : m.translations) {
                QStringList expected = placeholders(m.source), got = placeholders(t);
                if (m.numerus) { // a singular form may spell the number out
                    expected.removeAll(QStringLiteral("%n"));
                    got.removeAll(QStringLiteral("%n"));
                }
                QVERIFY2(expected == got, (where + " -> " + t.toUtf8()).constData());
            }
            if (m.numerus)
                QVERIFY2(m.translations.size() == 2, where.constData());
        }
    }

    void englishHasItsPluralForms()
    {
        for (const Message &m : readTs(tsPath("en"))) {
            if (!m.numerus)
                continue;
            QVERIFY2(m.translations.size() == 2 && !m.translations.last().isEmpty(),
                     qPrintable(m.source));
        }
    }

    void everySourceStringIsInTheTranslations()
    {
        const QString lupdate = qEnvironmentVariable("TIMONEL_LUPDATE");
        QVERIFY2(QFile::exists(lupdate), "lupdate is needed");
        QTemporaryDir dir;
        const QString fresh = dir.filePath(QStringLiteral("fresh_es.ts"));
        const QString root = qEnvironmentVariable("TIMONEL_SOURCE_DIR");
        QProcess p;
        p.start(lupdate, {QStringLiteral("-silent"), QStringLiteral("-no-obsolete"),
                          QStringLiteral("-locations"), QStringLiteral("none"),
                          QStringLiteral("-extensions"), QStringLiteral("cpp,h"),
                          root + QStringLiteral("/engine"), root + QStringLiteral("/gui"),
                          QStringLiteral("-ts"), fresh});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        QSet<QString> known;
        for (const Message &m : readTs(tsPath("es")))
            known.insert(m.context + QLatin1Char('\x1f') + m.source);
        const QList<Message> inSources = readTs(fresh);
        QVERIFY(inSources.size() > 50);
        for (const Message &m : inSources)
            QVERIFY2(
                known.contains(m.context + QLatin1Char('\x1f') + m.source),
                qPrintable(QStringLiteral(
                               "not in translations/ (run the update_translations target): %1: %2")
                               .arg(m.context, m.source)));
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
