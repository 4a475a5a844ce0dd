#include "poddns.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

// The kubelet's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths).
constexpr qsizetype maxNameservers = 3;
constexpr qsizetype maxSearches = 32;

void appendUnique(QStringList &to, const QJsonArray &items)
{
    for (const QJsonValue &v : items)
        if (const QString item = v.toString(); !item.isEmpty() && !to.contains(item))
            to.append(item);
}

} // namespace

ResolvConf ResolvConf::parse(const QString &text)
{
    ResolvConf conf;
    for (const QString &line : text.split(u'\n')) {
        const QStringList fields =
            line.section(u'#', 0, 0).simplified().split(u' ', Qt::SkipEmptyParts);
        if (fields.size() < 2)
            continue;
        if (fields[0] == u"nameserver") {
            conf.nameservers.append(fields[1]);
        } else if (fields[0] == u"search" || fields[0] == u"domain") {
            conf.searches = fields.mid(1); // the last search or domain line wins, as in libc
        } else if (fields[0] == u"options") {
            for (const QString &option : fields.mid(1))
                conf.options.append({option.section(u':', 0, 0), option.section(u':', 1)});
        }
    }
    return conf;
}

QString ResolvConf::toString() const
{
    QString text;
    if (!searches.isEmpty())
        text += u"search "_s + searches.join(u' ') + u'\n';
    for (const QString &server : nameservers)
        text += u"nameserver "_s + server + u'\n';
    if (!options.isEmpty()) {
        QStringList items;
        for (const auto &[name, value] : options)
            items.append(value.isEmpty() ? name : name + u':' + value);
        text += u"options "_s + items.join(u' ') + u'\n';
    }
    return text;
}

ResolvConf podResolvConf(const QJsonObject &pod, const ClusterDnsConfig &config)
{
    const QJsonObject spec = pod.value(u"spec").toObject();
    const QString policy = spec.value(u"dnsPolicy").toString(u"ClusterFirst"_s);
    const bool hostNetwork = spec.value(u"hostNetwork").toBool();
    const bool cluster =
        (policy == u"ClusterFirstWithHostNet" || (policy == u"ClusterFirst" && !hostNetwork)) &&
        !config.nameserver.isEmpty();

    ResolvConf conf;
    if (policy == u"None") {
        // dnsConfig alone
    } else if (cluster) {
        const QString ns = pod.value(u"metadata").toObject().value(u"namespace").toString();
        conf.nameservers = {config.nameserver};
        conf.searches = {ns + u".svc."_s + config.domain, u"svc."_s + config.domain, config.domain};
        for (const QString &search : config.node.searches)
            if (!conf.searches.contains(search))
                conf.searches.append(search);
        conf.options = {{u"ndots"_s, u"5"_s}};
    } else {
        conf = config.node;
    }

    const QJsonObject dnsConfig = spec.value(u"dnsConfig").toObject();
    appendUnique(conf.nameservers, dnsConfig.value(u"nameservers").toArray());
    appendUnique(conf.searches, dnsConfig.value(u"searches").toArray());
    for (const QJsonValue &v : dnsConfig.value(u"options").toArray()) {
        const QString name = v.toObject().value(u"name").toString();
        const QString value = v.toObject().value(u"value").toString();
        if (name.isEmpty())
            continue;
        auto it = std::find_if(conf.options.begin(), conf.options.end(),
                               [&](const auto &o) { return o.first == name; });
        if (it != conf.options.end())
            it->second = value;
        else
            conf.options.append({name, value});
    }
    conf.nameservers = conf.nameservers.mid(0, maxNameservers);
    conf.searches = conf.searches.mid(0, maxSearches);
    return conf;
}

} // namespace timonel::kubelet
