// Reading, merging and writing kubeconfig files without disturbing entries that are not ours.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>

namespace timonel::pki {

// One cluster + user + context triple, all three named `contextName` (as kind does).
struct KubeconfigEntry
{
    QString contextName;      // e.g. "timonel-dev"
    QString server;           // e.g. "https://127.0.0.1:40123"
    QByteArray caPem;         // certificate-authority-data
    QByteArray clientCertPem; // client-certificate-data
    QByteArray clientKeyPem;  // client-key-data
};

// A complete standalone kubeconfig (apiVersion v1, kind Config, current-context set).
QByteArray renderKubeconfig(const KubeconfigEntry &entry);

// The first non-empty entry of $KUBECONFIG, else $HOME/.kube/config.
QString kubeconfigPath();

// Creates the file (mode 0600, and its directory) if missing. Replaces the cluster, user and
// context entries named entry.contextName in place, keeps every other entry, field and the
// order of the lists, and sets current-context when setCurrent. Holds kubectl's
// "<path>.lock" while it reads and writes; a file that does not parse is never overwritten.
std::expected<void, QString> mergeIntoKubeconfig(const KubeconfigEntry &entry, const QString &path,
                                                 bool setCurrent = true);

// Removes the cluster, user and context entries named contextName; current-context becomes ""
// if it was that context (as kind does). A missing file or entry is success.
std::expected<void, QString> removeFromKubeconfig(const QString &contextName, const QString &path);

// The YAML documents of a kubeconfig file (normally one); an error if it is missing, does not
// parse, or holds something other than mappings.
std::expected<QList<QJsonObject>, QString> readKubeconfig(const QString &path);

} // namespace timonel::pki
