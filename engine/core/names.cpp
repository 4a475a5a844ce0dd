#include "names.h"

#include <QHash>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <optional>

namespace timonel::core {

namespace {

// The regular expressions are Kubernetes' own, quoted in its messages; anchoredPattern gives
// them Go's meaning of ^...$ (PCRE's $ would also match before a trailing newline).
const QString dns1123LabelFmt = QStringLiteral("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
const QString dns1123SubdomainFmt =
    dns1123LabelFmt + QStringLiteral("(\\.") + dns1123LabelFmt + QStringLiteral(")*");
const QString dns1035LabelFmt = QStringLiteral("[a-z]([-a-z0-9]*[a-z0-9])?");
const QString qualifiedNameFmt = QStringLiteral("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
const QString labelValueFmt = QStringLiteral("(") + qualifiedNameFmt + QStringLiteral(")?");
const QString envVarNameFmt = QStringLiteral("[-._a-zA-Z][-._a-zA-Z0-9]*");
const QString configMapKeyFmt = QStringLiteral("[-._a-zA-Z0-9]+");

constexpr int dns1123LabelMaxLength = 63;
constexpr int dns1123SubdomainMaxLength = 253;
constexpr int dns1035LabelMaxLength = 63;
constexpr int qualifiedNameMaxLength = 63;
constexpr int labelValueMaxLength = 63;

bool fullMatch(const QString &pattern, QStringView value)
{
    // One compiled expression per pattern; the patterns above are the only ones used.
    static thread_local QHash<QString, QRegularExpression> cache;
    auto it = cache.find(pattern);
    if (it == cache.end())
        it =
            cache.insert(pattern, QRegularExpression(QRegularExpression::anchoredPattern(pattern)));
    return it->matchView(value).hasMatch();
}

// Go measures strings in bytes.
qsizetype byteLength(QStringView value)
{
    return value.toUtf8().size();
}

QString maxLenError(int length)
{
    return QStringLiteral("must be no more than %1 characters").arg(length);
}

QString emptyError()
{
    return QStringLiteral("must be non-empty");
}

QString regexError(const QString &message, const QString &pattern,
                   std::initializer_list<const char *> examples)
{
    if (examples.size() == 0)
        return message + QStringLiteral(" (regex used for validation is '") + pattern +
               QStringLiteral("')");
    QString text = message + QStringLiteral(" (e.g. ");
    bool first = true;
    for (const char *example : examples) {
        if (!first)
            text += QStringLiteral(" or ");
        first = false;
        text += QLatin1Char('\'') + QLatin1String(example) + QStringLiteral("', ");
    }
    return text + QStringLiteral("regex used for validation is '") + pattern + QStringLiteral("')");
}

// --- IP addresses, as Go 1.16's net.ParseIP (kept by k8s.io/utils/net as ParseIPSloppy) ---

// Decimal digits at the start of text: value and count, or nullopt when there are none or the
// value reaches 0xFFFFFF (Go's dtoi).
std::optional<std::pair<int, qsizetype>> decimalPrefix(QStringView text)
{
    int value = 0;
    qsizetype i = 0;
    for (; i < text.size() && text[i] >= u'0' && text[i] <= u'9'; ++i) {
        value = value * 10 + (text[i].unicode() - u'0');
        if (value >= 0xFFFFFF)
            return std::nullopt;
    }
    if (i == 0)
        return std::nullopt;
    return std::pair{value, i};
}

std::optional<std::pair<int, qsizetype>> hexPrefix(QStringView text)
{
    int value = 0;
    qsizetype i = 0;
    for (; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const int digit = c >= u'0' && c <= u'9'   ? c - u'0'
                          : c >= u'a' && c <= u'f' ? c - u'a' + 10
                          : c >= u'A' && c <= u'F' ? c - u'A' + 10
                                                   : -1;
        if (digit < 0)
            break;
        value = value * 16 + digit;
        if (value >= 0xFFFFFF)
            return std::nullopt;
    }
    if (i == 0)
        return std::nullopt;
    return std::pair{value, i};
}

bool parsesAsIpv4(QStringView text)
{
    for (int part = 0; part < 4; ++part) {
        if (text.isEmpty())
            return false;
        if (part > 0) {
            if (text[0] != u'.')
                return false;
            text = text.mid(1);
        }
        const auto number = decimalPrefix(text);
        if (!number || number->first > 0xFF)
            return false;
        text = text.mid(number->second);
    }
    return text.isEmpty();
}

bool parsesAsIpv6(QStringView text)
{
    constexpr int ipv6Length = 16;
    constexpr int ipv4Length = 4;
    int ellipsis = -1;
    if (text.startsWith(u"::")) {
        ellipsis = 0;
        text = text.mid(2);
        if (text.isEmpty())
            return true;
    }
    int bytes = 0;
    while (bytes < ipv6Length) {
        const auto group = hexPrefix(text);
        if (!group || group->first > 0xFFFF)
            return false;
        if (group->second < text.size() && text[group->second] == u'.') {
            // A trailing dotted quad stands for the last four bytes.
            if (ellipsis < 0 && bytes != ipv6Length - ipv4Length)
                return false;
            if (bytes + ipv4Length > ipv6Length || !parsesAsIpv4(text))
                return false;
            bytes += ipv4Length;
            text = {};
            break;
        }
        bytes += 2;
        text = text.mid(group->second);
        if (text.isEmpty())
            break;
        if (text[0] != u':' || text.size() == 1)
            return false;
        text = text.mid(1);
        if (text[0] == u':') {
            if (ellipsis >= 0)
                return false;
            ellipsis = bytes;
            text = text.mid(1);
            if (text.isEmpty())
                break;
        }
    }
    if (!text.isEmpty())
        return false;
    // "::" must stand for at least one group, and only a "::" can make up missing groups.
    return bytes < ipv6Length ? ellipsis >= 0 : ellipsis < 0;
}

// 4 or 16 for an IPv4 or IPv6 address, 0 for neither. The first '.' or ':' decides the family.
int ipLength(QStringView text)
{
    for (QChar c : text) {
        if (c == u'.')
            return parsesAsIpv4(text) ? 4 : 0;
        if (c == u':')
            return parsesAsIpv6(text) ? 16 : 0;
    }
    return 0;
}

// --- Name rules per kind (k8s.io/kubernetes/pkg/apis/*/validation) ---

enum class NameRule
{
    Dns1123Subdomain, // NameIsDNSSubdomain: Pod, ReplicationController, ReplicaSet, Deployment,
                      // DaemonSet, Job, ConfigMap, Secret, ServiceAccount, Endpoints,
                      // EndpointSlice, Node, PersistentVolume(Claim), Event, Ingress, LimitRange,
                      // ResourceQuota, StorageClass, PriorityClass, Lease, ControllerRevision,
                      // HorizontalPodAutoscaler, PodDisruptionBudget, and unknown kinds
    Dns1123Label,     // NameIsDNSLabel: Namespace (ValidateNamespaceName), and StatefulSet since
                      // Kubernetes 1.27, as its name becomes each pod's hostname
    Dns1035Label,     // NameIsDNS1035Label: Service (ValidateServiceName), whose name becomes an
                      // environment variable prefix and a DNS name
    PathSegment,      // ValidateRBACName: Role, ClusterRole, RoleBinding, ClusterRoleBinding may
                      // be named anything that fits in a URL path segment
    CronJob,          // DNS subdomain, and at most 52 characters so that the Jobs it names
                      // "<cronjob>-<minutes>" still fit in 63
};

struct KindNameRule
{
    QLatin1StringView kind;
    QLatin1StringView resource;
    NameRule rule;
};

constexpr KindNameRule kindNameRules[] = {
    {QLatin1StringView("Namespace"), QLatin1StringView("namespaces"), NameRule::Dns1123Label},
    {QLatin1StringView("Service"), QLatin1StringView("services"), NameRule::Dns1035Label},
    {QLatin1StringView("StatefulSet"), QLatin1StringView("statefulsets"), NameRule::Dns1123Label},
    {QLatin1StringView("CronJob"), QLatin1StringView("cronjobs"), NameRule::CronJob},
    {QLatin1StringView("Role"), QLatin1StringView("roles"), NameRule::PathSegment},
    {QLatin1StringView("ClusterRole"), QLatin1StringView("clusterroles"), NameRule::PathSegment},
    {QLatin1StringView("RoleBinding"), QLatin1StringView("rolebindings"), NameRule::PathSegment},
    {QLatin1StringView("ClusterRoleBinding"), QLatin1StringView("clusterrolebindings"),
     NameRule::PathSegment},
};

NameRule nameRuleFor(QStringView kind)
{
    for (const KindNameRule &entry : kindNameRules) {
        if (kind == entry.kind || kind == entry.resource)
            return entry.rule;
    }
    return NameRule::Dns1123Subdomain;
}

// A generateName prefix gets a random suffix, so a trailing '-' is fine. Kubernetes'
// maskTrailingDash replaces the last *two* characters with "a"; kept for identical results.
QString maskTrailingDash(QStringView name)
{
    if (name.size() > 1 && name.endsWith(u'-'))
        return name.first(name.size() - 2).toString() + QLatin1Char('a');
    return name.toString();
}

QStringList pathSegmentErrors(QStringView name, bool prefix)
{
    if (!prefix) {
        if (name == u".")
            return {QStringLiteral("may not be '.'")};
        if (name == u"..")
            return {QStringLiteral("may not be '..'")};
    }
    QStringList errors;
    if (name.contains(u'/'))
        errors << QStringLiteral("may not contain '/'");
    if (name.contains(u'%'))
        errors << QStringLiteral("may not contain '%'");
    return errors;
}

QStringList chDirPrefixErrors(QStringView value)
{
    if (value == u".")
        return {QStringLiteral("must not be '.'")};
    if (value == u"..")
        return {QStringLiteral("must not be '..'")};
    if (value.startsWith(u".."))
        return {QStringLiteral("must not start with '..'")};
    return {};
}

} // namespace

QStringList isDns1123Label(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > dns1123LabelMaxLength)
        errors << maxLenError(dns1123LabelMaxLength);
    if (!fullMatch(dns1123LabelFmt, value)) {
        if (fullMatch(dns1123SubdomainFmt, value)) {
            // A valid subdomain of valid length that is not a label can only have dots.
            errors << QStringLiteral("must not contain dots");
        } else {
            errors << regexError(
                QStringLiteral("a lowercase RFC 1123 label must consist of lower case "
                               "alphanumeric characters or '-', and must start and end with an "
                               "alphanumeric character"),
                dns1123LabelFmt, {"my-name", "123-abc"});
        }
    }
    return errors;
}

QStringList isDns1123Subdomain(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > dns1123SubdomainMaxLength)
        errors << maxLenError(dns1123SubdomainMaxLength);
    if (!fullMatch(dns1123SubdomainFmt, value)) {
        errors << regexError(
            QStringLiteral("a lowercase RFC 1123 subdomain must consist of lower case "
                           "alphanumeric characters, '-' or '.', and must start and end with an "
                           "alphanumeric character"),
            dns1123SubdomainFmt, {"example.com"});
    }
    return errors;
}

QStringList isDns1035Label(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > dns1035LabelMaxLength)
        errors << maxLenError(dns1035LabelMaxLength);
    if (!fullMatch(dns1035LabelFmt, value)) {
        errors << regexError(
            QStringLiteral("a DNS-1035 label must consist of lower case alphanumeric characters "
                           "or '-', start with an alphabetic character, and end with an "
                           "alphanumeric character"),
            dns1035LabelFmt, {"my-name", "abc-123"});
    }
    return errors;
}

QStringList isQualifiedName(QStringView value)
{
    static const QString message =
        QStringLiteral("must consist of alphanumeric characters, '-', '_' or '.', and must "
                       "start and end with an alphanumeric character");
    QStringList errors;
    const auto parts = value.split(u'/');
    QStringView name;
    if (parts.size() == 1) {
        name = parts[0];
    } else if (parts.size() == 2) {
        const QStringView prefix = parts[0];
        name = parts[1];
        if (prefix.isEmpty()) {
            errors << QStringLiteral("prefix part ") + emptyError();
        } else {
            for (const QString &error : isDns1123Subdomain(prefix))
                errors << QStringLiteral("prefix part ") + error;
        }
    } else {
        return {QStringLiteral("a qualified name ") +
                regexError(message, qualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
                QStringLiteral(" with an optional DNS subdomain prefix and '/' (e.g. "
                               "'example.com/MyName')")};
    }
    if (name.isEmpty())
        errors << QStringLiteral("name part ") + emptyError();
    else if (byteLength(name) > qualifiedNameMaxLength)
        errors << QStringLiteral("name part ") + maxLenError(qualifiedNameMaxLength);
    if (!fullMatch(qualifiedNameFmt, name)) {
        errors << QStringLiteral("name part ") +
                      regexError(message, qualifiedNameFmt, {"MyName", "my.name", "123-abc"});
    }
    return errors;
}

QStringList isValidLabelValue(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > labelValueMaxLength)
        errors << maxLenError(labelValueMaxLength);
    if (!fullMatch(labelValueFmt, value)) {
        errors << regexError(
            QStringLiteral("a valid label must be an empty string or consist of alphanumeric "
                           "characters, '-', '_' or '.', and must start and end with an "
                           "alphanumeric character"),
            labelValueFmt, {"MyValue", "my_value", "12345"});
    }
    return errors;
}

QStringList isValidPortName(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > 15)
        errors << maxLenError(15);
    if (!fullMatch(QStringLiteral("[-a-z0-9]+"), value))
        errors << QStringLiteral(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!std::any_of(value.begin(), value.end(), [](QChar c) { return c >= u'a' && c <= u'z'; }))
        errors << QStringLiteral("must contain at least one letter (a-z)");
    if (value.contains(u"--"))
        errors << QStringLiteral("must not contain consecutive hyphens");
    if (!value.isEmpty() && (value.front() == u'-' || value.back() == u'-'))
        errors << QStringLiteral("must not begin or end with a hyphen");
    return errors;
}

QStringList isValidPortNum(qint64 port)
{
    if (port >= 1 && port <= 65535)
        return {};
    return {QStringLiteral("must be between 1 and 65535, inclusive")};
}

QStringList isValidIp(QStringView value)
{
    if (ipLength(value) != 0)
        return {};
    return {QStringLiteral("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")};
}

QStringList isValidCidr(QStringView value)
{
    const QStringList invalid = {
        QStringLiteral("must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")};
    const qsizetype slash = value.indexOf(u'/');
    if (slash < 0)
        return invalid;
    const QStringView address = value.first(slash);
    const QStringView prefix = value.sliced(slash + 1);
    // Go's ParseCIDR tries IPv4 first and IPv6 second, whatever the address looks like.
    const int length = parsesAsIpv4(address) ? 4 : parsesAsIpv6(address) ? 16 : 0;
    const auto bits = decimalPrefix(prefix);
    if (length == 0 || !bits || bits->second != prefix.size() || bits->first > 8 * length)
        return invalid;
    return {};
}

QStringList isEnvVarName(QStringView value)
{
    QStringList errors;
    if (value.isEmpty())
        errors << QStringLiteral("environment variable name ") + emptyError();
    for (QChar c : value) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e || c == u'=') {
            errors << QStringLiteral("a valid environment variable name must consist only of "
                                     "printable ASCII characters other than '='");
            break;
        }
    }
    return errors;
}

QStringList isStrictEnvVarName(QStringView value)
{
    QStringList errors;
    if (!fullMatch(envVarNameFmt, value)) {
        errors << regexError(QStringLiteral("a valid environment variable name must consist of "
                                            "alphabetic characters, digits, '_', '-', or '.', "
                                            "and must not start with a digit"),
                             envVarNameFmt, {"my.env-name", "MY_ENV.NAME", "MyEnvName1"});
    }
    errors << chDirPrefixErrors(value);
    return errors;
}

QStringList isConfigMapKey(QStringView value)
{
    QStringList errors;
    if (byteLength(value) > dns1123SubdomainMaxLength)
        errors << maxLenError(dns1123SubdomainMaxLength);
    if (!fullMatch(configMapKeyFmt, value)) {
        errors << regexError(QStringLiteral("a valid config key must consist of alphanumeric "
                                            "characters, '-', '_' or '.'"),
                             configMapKeyFmt, {"key.name", "KEY_NAME", "key-name"});
    }
    errors << chDirPrefixErrors(value);
    return errors;
}

QStringList validateObjectName(QStringView name, QStringView kind, bool forGenerateName)
{
    const NameRule rule = nameRuleFor(kind);
    if (rule == NameRule::PathSegment)
        return pathSegmentErrors(name, forGenerateName);
    const QString checked = forGenerateName ? maskTrailingDash(name) : name.toString();
    switch (rule) {
    case NameRule::Dns1123Label:
        return isDns1123Label(checked);
    case NameRule::Dns1035Label:
        return isDns1035Label(checked);
    case NameRule::CronJob: {
        QStringList errors = isDns1123Subdomain(checked);
        if (!forGenerateName && byteLength(name) > dns1035LabelMaxLength - 11)
            errors << QStringLiteral("must be no more than 52 characters");
        return errors;
    }
    case NameRule::Dns1123Subdomain:
    case NameRule::PathSegment:
        break;
    }
    return isDns1123Subdomain(checked);
}

QString generateNameSuffix()
{
    // k8s.io/apimachinery/pkg/util/rand: no vowels (no words) and no look-alikes (0/o, 1/l).
    static constexpr char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    constexpr int alphabetSize = sizeof(alphabet) - 1;
    QString suffix;
    for (int i = 0; i < 5; ++i)
        suffix += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(alphabetSize)]);
    return suffix;
}

QString generateName(QStringView base)
{
    constexpr qsizetype maxGeneratedNameLength = 63 - 5;
    return base.left(maxGeneratedNameLength).toString() + generateNameSuffix();
}

} // namespace timonel::core
