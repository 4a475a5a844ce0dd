// A pod's log in a tab, as `kubectl logs [-f] [--timestamps] -c CONTAINER` shows it: follow,
// container choice, timestamps and search.
#pragma once

#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace timonel::client {
class HttpsClient;
class LogStream;
} // namespace timonel::client

namespace timonel::gui {

class LogView : public QWidget
{
    Q_OBJECT
public:
    // `client` must outlive the view (the main window closes log tabs with their connection).
    LogView(client::HttpsClient &client, QString ns, QString pod, QStringList containers,
            QWidget *parent = nullptr);
    ~LogView() override;

    QString title() const;
    QPlainTextEdit *text() const { return m_text; }
    QComboBox *containerBox() const { return m_container; }
    QCheckBox *followBox() const { return m_follow; }
    // The kubectl command that shows the same.
    QString commandLine() const;

    // Reads the log again with the current choices.
    void reload();
    // Selects the next match of the search text (wrapping); false when there is none.
    bool findNext();

private:
    client::HttpsClient &m_client;
    QString m_ns;
    QString m_pod;
    QComboBox *m_container;
    QCheckBox *m_follow;
    QCheckBox *m_timestamps;
    QLineEdit *m_search;
    QPlainTextEdit *m_text;
    QLabel *m_state;
    std::unique_ptr<client::LogStream> m_stream;
};

} // namespace timonel::gui
