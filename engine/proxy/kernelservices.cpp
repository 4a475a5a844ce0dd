#include "kernelservices.h"

#include <QMap>

#include <nftables/libnftables.h>

using namespace Qt::StringLiterals;

namespace timonel::proxy {

namespace {

constexpr auto table = "ip timonel"_L1;
// Set on the first packet of a connection the table DNATs, read where it leaves the node:
// only those are masqueraded (Docker's own DNAT of its embedded DNS in this namespace is not).
// Not what stays in the node (an endpoint on the node's own address): its replies come back
// through this conntrack anyway, and the kernel drops what it masquerades out of lo.
constexpr auto masqueradeMark = "0x4000"_L1;

QString protocolKeyword(Protocol protocol)
{
    return protocol == Protocol::Tcp ? u"tcp"_s : u"udp"_s;
}

// A string nft reads back unchanged (service names cannot hold quotes; this keeps it so).
QString quoted(QString text)
{
    text.remove(u'"');
    return u'"' + text + u'"';
}

} // namespace

bool servedByKernel(const Frontend &frontend)
{
    return frontend.protocol == Protocol::Tcp && frontend.affinitySeconds == 0 &&
           !usableBackends(frontend.backends).isEmpty();
}

QString kernelServicesScript(const QList<Frontend> &frontends,
                             const QList<QHostAddress> &nodeAddresses)
{
    QList<const Frontend *> served;
    for (const Frontend &f : frontends)
        if (servedByKernel(f))
            served.append(&f);
    std::ranges::sort(served, [](const Frontend *a, const Frontend *b) {
        return std::tuple(a->ns, a->name, a->port, a->protocol) <
               std::tuple(b->ns, b->name, b->port, b->protocol);
    });

    QMap<QString, QString> elements; // "address . protocol . port" -> verdict, sorted
    QString chains;
    for (qsizetype i = 0; i < served.size(); ++i) {
        const Frontend &f = *served.at(i);
        const QString chain = u"svc-"_s + QString::number(i);
        auto route = [&](const QString &address, quint16 port) {
            if (QHostAddress(address).protocol() != QAbstractSocket::IPv4Protocol || port == 0)
                return;
            const QString key =
                u"%1 . %2 . %3"_s.arg(address, protocolKeyword(f.protocol)).arg(port);
            if (!elements.contains(key))
                elements.insert(key, u"goto "_s + chain);
        };
        for (const QString &ip : f.clusterIPs)
            route(ip, f.port);
        if (f.nodePort != 0)
            for (const QHostAddress &address : nodeAddresses)
                route(address.toString(), f.nodePort);

        const QList<Backend> backends = usableBackends(f.backends);
        chains += u"\tchain %1 {\n\t\tcomment %2\n\t\tmeta mark set meta mark | %3\n"_s.arg(
            chain, quoted(f.displayName()), masqueradeMark);
        if (backends.size() == 1) {
            chains += u"\t\tmeta l4proto %1 dnat to %2:%3\n\t}\n"_s
                          .arg(protocolKeyword(f.protocol), backends.first().ip)
                          .arg(backends.first().port);
            continue;
        }
        QStringList choices;
        QString endpointChains;
        for (qsizetype b = 0; b < backends.size(); ++b) {
            const QString endpoint = chain + u'-' + QString::number(b);
            choices.append(u"%1 : goto %2"_s.arg(b).arg(endpoint));
            endpointChains += u"\tchain %1 {\n\t\tmeta l4proto %2 dnat to %3:%4\n\t}\n"_s
                                  .arg(endpoint, protocolKeyword(f.protocol))
                                  .arg(backends.at(b).ip)
                                  .arg(backends.at(b).port);
        }
        chains += u"\t\tnumgen inc mod %1 vmap { %2 }\n\t}\n"_s.arg(backends.size())
                      .arg(choices.join(u", "_s));
        chains += endpointChains;
    }

    QStringList mapElements;
    for (auto it = elements.cbegin(); it != elements.cend(); ++it)
        mapElements.append(it.key() + u" : "_s + it.value());
    const QString lookup = u"ip daddr . meta l4proto . th dport vmap @services"_s;
    QString script = u"add table %1\ndelete table %1\ntable %1 {\n"_s.arg(table);
    script += u"\tmap services {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"_s;
    if (!mapElements.isEmpty())
        script += u"\t\telements = { "_s + mapElements.join(u",\n\t\t\t"_s) + u" }\n"_s;
    script += u"\t}\n"_s;
    script +=
        u"\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
        u"\t\t%1\n\t}\n"_s.arg(lookup);
    // -100 is dstnat's priority, which older nft does not name at the output hook.
    script += u"\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
              u"\t\t%1\n\t}\n"_s.arg(lookup);
    script += u"\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy "
              u"accept;\n\t\tmeta mark & %1 != 0 oifname != \"lo\" masquerade\n\t}\n"_s.arg(
                  masqueradeMark);
    script += chains;
    script += u"}\n"_s;
    return script;
}

QString removeKernelServicesScript()
{
    return u"add table %1\ndelete table %1\n"_s.arg(table);
}

Nftables::Nftables() : m_context(nft_ctx_new(NFT_CTX_DEFAULT))
{
    nft_ctx_buffer_output(m_context);
    nft_ctx_buffer_error(m_context);
}

Nftables::~Nftables()
{
    nft_ctx_free(m_context);
}

std::expected<void, QString> Nftables::run(const QString &script)
{
    const int status = nft_run_cmd_from_buffer(m_context, script.toUtf8().constData());
    const QString errors = QString::fromUtf8(nft_ctx_get_error_buffer(m_context)).trimmed();
    nft_ctx_get_output_buffer(m_context); // drops what a command printed
    if (status == 0)
        return {};
    return std::unexpected(errors.isEmpty() ? u"nft failed"_s
                                            : errors.split(u'\n').first().trimmed());
}

} // namespace timonel::proxy
