// One manifest file in a tab: the YAML editor, its problems checked as you type (shown in the
// editor and in the problems panel), completion of keys and values from the schema, and the
// file's open / save state.
#pragma once

#include "manifest/validator.h"

#include <QWidget>

class QTimer;

namespace timonel::gui {

class YamlEditor;

class ManifestTab : public QWidget
{
    Q_OBJECT
public:
    explicit ManifestTab(QWidget *parent = nullptr);

    YamlEditor *editor() const { return m_editor; }
    QString filePath() const { return m_path; }
    // The file name, "Untitled" before the first save; with "*" when modified.
    QString title() const;
    const QList<manifest::Problem> &problems() const { return m_problems; }

    // Reads a file; the error is one line.
    bool open(const QString &path, QString *error);
    // Writes to `path` ("" = the file it came from).
    bool save(const QString &path, QString *error);
    void setText(const QString &text);
    // Checks now rather than after the typing pause.
    void check();

Q_SIGNALS:
    void problemsChanged(const QList<manifest::Problem> &problems);
    void titleChanged(const QString &title);

private:
    YamlEditor *m_editor;
    QTimer *m_checkTimer;
    QString m_path;
    QList<manifest::Problem> m_problems;
};

} // namespace timonel::gui
