#include "docker/httpresponseparser.h"

#include <QRandomGenerator>
#include <QTest>

using namespace timonel::docker;

using Headers = QList<std::pair<QByteArray, QByteArray>>;

namespace {

// What a parser saw after being fed a response in pieces.
struct Outcome
{
    bool ok = true;
    QString error;
    int status = 0;
    QByteArray reason;
    Headers headers;
    QByteArray body;
    bool completeBeforeClose = false;
    bool completeAfterClose = false;
    bool raw = false;
};

// Feeds `response` cut at the sorted positions `cuts`, collecting the body as it is handed over,
// then closes the connection.
Outcome parseInPieces(const QByteArray &response, const QList<qsizetype> &cuts, bool noBody = false)
{
    HttpResponseParser parser;
    parser.setNoBody(noBody);
    Outcome out;
    qsizetype from = 0;
    QList<qsizetype> ends = cuts;
    ends.append(response.size());
    for (qsizetype end : std::as_const(ends)) {
        if (!parser.feed(QByteArrayView(response).sliced(from, end - from))) {
            out.ok = false;
            break;
        }
        out.body += parser.takeBody();
        from = end;
    }
    out.completeBeforeClose = parser.isComplete();
    if (out.ok) {
        parser.connectionClosed();
        out.body += parser.takeBody();
        out.ok = !parser.hasError();
    }
    out.completeAfterClose = parser.isComplete();
    out.error = parser.errorString();
    out.status = parser.statusCode();
    out.reason = parser.reasonPhrase();
    out.headers = parser.headers();
    out.raw = parser.isRaw();
    return out;
}

QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}

QList<qsizetype> randomCuts(qsizetype size, QRandomGenerator &random)
{
    QList<qsizetype> cuts;
    qsizetype at = 0;
    for (;;) {
        at += 1 + random.bounded(12);
        if (at >= size)
            return cuts;
        cuts.append(at);
    }
}

QByteArray withLength(const QByteArray &head, const QByteArray &body)
{
    return head + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class TestHttpParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesResponseSplitAnywhere_data();
    void parsesResponseSplitAnywhere();
    void rejectsMalformedResponse_data();
    void rejectsMalformedResponse();
    void reportsBodyCutShortAtClose_data();
    void reportsBodyCutShortAtClose();
    void acceptsChunkedBodyMissingOnlyItsFinalLineAtClose();
    void rejectsHeaderSectionOverOneMebibyte();
    void acceptsHeaderSectionJustUnderOneMebibyte();
    void deliversRawStreamAfterUpgradeAsItArrives();
    void completesAfterHeadersWhenToldThereIsNoBody();
    void looksUpHeadersCaseInsensitivelyFirstValueWins();
    void handsOverChunkedBodyAsChunksArrive();
    void ignoresBytesAfterCompleteResponse();
    void keepsFailingAfterAnError();
    void buildsRequests_data();
    void buildsRequests();
};

void TestHttpParser::parsesResponseSplitAnywhere_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("completeBeforeClose");
    QTest::addColumn<bool>("raw");

    const QByteArray json = R"({"Id":"4f2a","Warnings":[]})";
    QTest::newRow("content-length body")
        << withLength("HTTP/1.1 201 Created\r\nApi-Version: 1.47\r\n"
                      "Content-Type: application/json\r\n",
                      json)
        << 201 << QByteArray("Created")
        << Headers{{"Api-Version", "1.47"},
                   {"Content-Type", "application/json"},
                   {"Content-Length", QByteArray::number(json.size())}}
        << json << true << false;

    QTest::newRow("content-length zero completes at once")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << 200 << QByteArray("OK")
        << Headers{{"Content-Length", "0"}} << QByteArray() << true << false;

    QTest::newRow("chunked with lower and upper case hex")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "a\r\n0123456789\r\nA\r\nabcdefghij\r\n1f\r\n"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\r\n0\r\n\r\n")
        << 200 << QByteArray("OK") << Headers{{"Transfer-Encoding", "chunked"}}
        << QByteArray("0123456789abcdefghijABCDEFGHIJKLMNOPQRSTUVWXYZ01234") << true << false;

    QTest::newRow("chunked with extensions and trailers")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;name=value\r\nhello\r\n6 ; foo=\"bar;baz\"\r\n world\r\n"
                      "0;last\r\nX-Trailer: yes\r\nX-Checksum: 42\r\n\r\n")
        << 200 << QByteArray("OK") << Headers{{"Transfer-Encoding", "chunked"}}
        << QByteArray("hello world") << true << false;

    QTest::newRow("chunked json lines stream")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n"
                      "1c\r\n{\"status\":\"Pulling fs lay\"}\n\r\n"
                      "2\r\n{}\r\n1\r\n\n\r\n0\r\n\r\n")
        << 200 << QByteArray("OK")
        << Headers{{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}}
        << QByteArray("{\"status\":\"Pulling fs lay\"}\n{}\n") << true << false;

    QTest::newRow("204 has no body")
        << QByteArray("HTTP/1.1 204 No Content\r\nApi-Version: 1.47\r\n\r\n") << 204
        << QByteArray("No Content") << Headers{{"Api-Version", "1.47"}} << QByteArray() << true
        << false;

    QTest::newRow("304 has no body despite content-length")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n") << 304
        << QByteArray("Not Modified") << Headers{{"Content-Length", "10"}} << QByteArray() << true
        << false;

    QTest::newRow("100 continue is skipped")
        << QByteArray("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        << 200 << QByteArray("OK") << Headers{{"Content-Length", "2"}} << QByteArray("{}") << true
        << false;

    QTest::newRow("no framing reads until close")
        << QByteArray("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\n") << 200
        << QByteArray("OK") << Headers{{"Content-Type", "text/plain"}}
        << QByteArray("until the end\n") << false << true;

    QTest::newRow("non-chunked transfer coding reads until close")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz") << 200
        << QByteArray("OK") << Headers{{"Transfer-Encoding", "gzip"}} << QByteArray("xyz") << false
        << true;

    const QByteArray stream = QByteArray("\x01\0\0\0\0\0\0\x05hello\x02\0\0\0\0\0\0\x01!", 22);
    QTest::newRow("101 upgraded then raw stream")
        << QByteArray("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n") +
               stream
        << 101 << QByteArray("UPGRADED")
        << Headers{{"Content-Type", "application/vnd.docker.raw-stream"},
                   {"Connection", "Upgrade"},
                   {"Upgrade", "tcp"}}
        << stream << false << true;

    QTest::newRow("bare line feeds")
        << QByteArray("HTTP/1.1 200 OK\nContent-Length: 3\n\nabc") << 200 << QByteArray("OK")
        << Headers{{"Content-Length", "3"}} << QByteArray("abc") << true << false;

    QTest::newRow("missing reason phrase")
        << QByteArray("HTTP/1.1 404\r\nContent-Length: 2\r\n\r\n{}") << 404 << QByteArray()
        << Headers{{"Content-Length", "2"}} << QByteArray("{}") << true << false;

    QTest::newRow("empty reason phrase")
        << QByteArray("HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n") << 500 << QByteArray()
        << Headers{{"Content-Length", "0"}} << QByteArray() << true << false;

    QTest::newRow("reason phrase with spaces")
        << QByteArray("HTTP/1.1 409 Conflict With Spaces\r\nContent-Length: 0\r\n\r\n") << 409
        << QByteArray("Conflict With Spaces") << Headers{{"Content-Length", "0"}} << QByteArray()
        << true << false;

    QTest::newRow("transfer-encoding wins over content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n"
                      "3\r\nabc\r\n0\r\n\r\n")
        << 200 << QByteArray("OK")
        << Headers{{"Transfer-Encoding", "chunked"}, {"Content-Length", "100"}} << QByteArray("abc")
        << true << false;

    QTest::newRow("folded header value")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Long: first\r\n \t second\r\nContent-Length: 0\r\n\r\n")
        << 200 << QByteArray("OK") << Headers{{"X-Long", "first second"}, {"Content-Length", "0"}}
        << QByteArray() << true << false;

    QTest::newRow("repeated equal content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 4, 4\r\n\r\nbody") << 200
        << QByteArray("OK") << Headers{{"Content-Length", "4, 4"}} << QByteArray("body") << true
        << false;

    QTest::newRow("whitespace around values is trimmed")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: \t text/plain  \r\nX-Empty:\r\n"
                      "Content-Length:1\r\n\r\nx")
        << 200 << QByteArray("OK")
        << Headers{{"Content-Type", "text/plain"}, {"X-Empty", ""}, {"Content-Length", "1"}}
        << QByteArray("x") << true << false;

    const QByteArray error = R"({"message":"No such container: web-1"})";
    QTest::newRow("docker error")
        << withLength("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n", error) << 404
        << QByteArray("Not Found")
        << Headers{{"Content-Type", "application/json"},
                   {"Content-Length", QByteArray::number(error.size())}}
        << error << true << false;

    QTest::newRow("binary body with line ends")
        << withLength("HTTP/1.1 200 OK\r\n", QByteArray("\r\n\r\n\0\n\r", 7)) << 200
        << QByteArray("OK") << Headers{{"Content-Length", "7"}} << QByteArray("\r\n\r\n\0\n\r", 7)
        << true << false;
}

void TestHttpParser::parsesResponseSplitAnywhere()
{
    QFETCH(QByteArray, response);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(bool, completeBeforeClose);
    QFETCH(bool, raw);

    const auto check = [&](const QList<qsizetype> &cuts, const QString &how) {
        const Outcome out = parseInPieces(response, cuts);
        const QByteArray context = how.toUtf8();
        QVERIFY2(out.ok, (context + ": " + out.error.toUtf8()).constData());
        QVERIFY2(out.status == status, context.constData());
        QVERIFY2(out.reason == reason, context.constData());
        QVERIFY2(out.headers == headers, context.constData());
        QVERIFY2(out.body == body,
                 (context + ": body " + out.body.toPercentEncoding()).constData());
        QVERIFY2(out.completeBeforeClose == completeBeforeClose, context.constData());
        QVERIFY2(out.completeAfterClose, context.constData());
        QVERIFY2(out.raw == raw, context.constData());
    };

    check({}, QStringLiteral("whole"));
    if (QTest::currentTestFailed())
        return;
    for (qsizetype cut = 1; cut < response.size(); ++cut) {
        check({cut}, QStringLiteral("split at %1").arg(cut));
        if (QTest::currentTestFailed())
            return;
    }
    check(everyByte(response.size()), QStringLiteral("byte by byte"));
    if (QTest::currentTestFailed())
        return;
    QRandomGenerator random(quint32(qHash(response)));
    for (int round = 0; round < 50; ++round) {
        const QList<qsizetype> cuts = randomCuts(response.size(), random);
        QStringList where;
        for (qsizetype cut : cuts)
            where << QString::number(cut);
        check(cuts, QStringLiteral("random cuts %1").arg(where.join(u',')));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestHttpParser::rejectsMalformedResponse_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("error");

    QTest::newRow("not http") << QByteArray("FOO/1.1 200 OK\r\n\r\n")
                              << QStringLiteral("malformed status line");
    QTest::newRow("garbage status line")
        << QByteArray("hello world\r\n\r\n") << QStringLiteral("malformed status line");
    QTest::newRow("status code not numeric")
        << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << QStringLiteral("malformed status line");
    QTest::newRow("status code too short")
        << QByteArray("HTTP/1.1 20 OK\r\n\r\n") << QStringLiteral("malformed status line");
    QTest::newRow("status code too long")
        << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << QStringLiteral("malformed status line");
    QTest::newRow("status code below 100")
        << QByteArray("HTTP/1.1 099 Odd\r\n\r\n") << QStringLiteral("invalid status code");
    QTest::newRow("http/2") << QByteArray("HTTP/2.0 200 OK\r\n\r\n")
                            << QStringLiteral("unsupported HTTP version");
    QTest::newRow("header without colon") << QByteArray("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n")
                                          << QStringLiteral("malformed header line");
    QTest::newRow("empty header name") << QByteArray("HTTP/1.1 200 OK\r\n: value\r\n\r\n")
                                       << QStringLiteral("malformed header line");
    QTest::newRow("space before colon")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello")
        << QStringLiteral("invalid header name");
    QTest::newRow("control character in value")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Bad: a\x01z\r\n\r\n")
        << QStringLiteral("invalid character in header");
    QTest::newRow("continuation before any header")
        << QByteArray("HTTP/1.1 200 OK\r\n folded\r\n\r\n")
        << QStringLiteral("continuation line before any header");
    QTest::newRow("content-length not a number")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")
        << QStringLiteral("invalid Content-Length");
    QTest::newRow("negative content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
        << QStringLiteral("invalid Content-Length");
    QTest::newRow("empty content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n")
        << QStringLiteral("invalid Content-Length");
    QTest::newRow("overflowing content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")
        << QStringLiteral("invalid Content-Length");
    QTest::newRow("conflicting content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")
        << QStringLiteral("conflicting Content-Length");
    QTest::newRow("conflicting content-length list")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello")
        << QStringLiteral("conflicting Content-Length");

    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("chunk size not hex") << chunked + "zz\r\nab\r\n0\r\n\r\n"
                                        << QStringLiteral("bad chunk size");
    QTest::newRow("chunk size empty") << chunked + "\r\nab\r\n0\r\n\r\n"
                                      << QStringLiteral("bad chunk size");
    QTest::newRow("chunk size negative") << chunked + "-2\r\nab\r\n0\r\n\r\n"
                                         << QStringLiteral("bad chunk size");
    QTest::newRow("chunk size followed by junk") << chunked + "2 x\r\nab\r\n0\r\n\r\n"
                                                 << QStringLiteral("bad chunk size");
    QTest::newRow("chunk size too large") << chunked + "FFFFFFFFFFFFFFFFFF\r\n"
                                          << QStringLiteral("chunk size too large");
    QTest::newRow("chunk data longer than its size") << chunked + "3\r\nabcd\r\n0\r\n\r\n"
                                                     << QStringLiteral("chunk data is longer");
    QTest::newRow("bad trailer") << chunked + "0\r\nno colon\r\n\r\n"
                                 << QStringLiteral("malformed header line");
}

void TestHttpParser::rejectsMalformedResponse()
{
    QFETCH(QByteArray, response);
    QFETCH(QString, error);

    for (const bool byteByByte : {false, true}) {
        const Outcome out =
            parseInPieces(response, byteByByte ? everyByte(response.size()) : QList<qsizetype>{});
        QVERIFY(!out.ok);
        QVERIFY2(out.error.contains(error), qPrintable(out.error));
        QVERIFY(!out.completeAfterClose);
    }
}

void TestHttpParser::reportsBodyCutShortAtClose_data()
{
    QTest::addColumn<QByteArray>("received");
    QTest::addColumn<QString>("error");

    QTest::newRow("nothing") << QByteArray() << QStringLiteral("before any response");
    QTest::newRow("half a status line")
        << QByteArray("HTTP/1.1 20") << QStringLiteral("middle of the response headers");
    QTest::newRow("headers without their end")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")
        << QStringLiteral("middle of the response headers");
    QTest::newRow("length body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123")
                                 << QStringLiteral("after 4 of 10 body bytes");
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("chunked before any chunk") << chunked << QStringLiteral("chunked body");
    QTest::newRow("chunked inside a chunk")
        << chunked + "a\r\n01234" << QStringLiteral("chunked body");
    QTest::newRow("chunked inside a size line")
        << chunked + "a\r\n0123456789\r\n1" << QStringLiteral("chunked body");
    QTest::newRow("chunked before the last chunk") << chunked + "a\r\n0123456789\r\n"
                                                   << QStringLiteral("chunked body");
    QTest::newRow("chunked inside a trailer")
        << chunked + "0\r\nX-Tra" << QStringLiteral("trailer fields");
}

void TestHttpParser::reportsBodyCutShortAtClose()
{
    QFETCH(QByteArray, received);
    QFETCH(QString, error);

    HttpResponseParser parser;
    QVERIFY(parser.feed(received));
    QVERIFY(!parser.isComplete());
    parser.connectionClosed();
    QVERIFY(!parser.isComplete());
    QVERIFY(parser.hasError());
    QVERIFY2(parser.errorString().contains(error), qPrintable(parser.errorString()));
}

void TestHttpParser::acceptsChunkedBodyMissingOnlyItsFinalLineAtClose()
{
    HttpResponseParser parser;
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"));
    QVERIFY(!parser.isComplete());
    parser.connectionClosed();
    QVERIFY2(parser.isComplete(), qPrintable(parser.errorString()));
    QCOMPARE(parser.takeBody(), QByteArray("abc"));
}

void TestHttpParser::rejectsHeaderSectionOverOneMebibyte()
{
    HttpResponseParser parser;
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\n"));
    const QByteArray line = "X-Filler: " + QByteArray(4000, 'f') + "\r\n";
    bool failed = false;
    for (int i = 0; i < 300 && !failed; ++i) // 300 * 4012 bytes > 1 MiB
        failed = !parser.feed(line);
    QVERIFY(failed);
    QVERIFY2(parser.errorString().contains(QStringLiteral("exceed")),
             qPrintable(parser.errorString()));
    QVERIFY(!parser.headersComplete());

    // One endless line must fail just the same, without waiting for its end.
    HttpResponseParser endless;
    QVERIFY(endless.feed("HTTP/1.1 200 OK\r\nX-Endless: "));
    failed = false;
    for (int i = 0; i < 300 && !failed; ++i)
        failed = !endless.feed(QByteArray(4096, 'e'));
    QVERIFY(failed);
    QVERIFY(endless.errorString().contains(QStringLiteral("exceed")));
}

void TestHttpParser::acceptsHeaderSectionJustUnderOneMebibyte()
{
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Filler: ";
    const QByteArray end = "\r\n\r\n";
    const QByteArray filler((1 << 20) - head.size() - end.size(), 'f');
    HttpResponseParser parser;
    QVERIFY2(parser.feed(head + filler + end + "{}"), qPrintable(parser.errorString()));
    QVERIFY(parser.isComplete());
    QCOMPARE(parser.header("x-filler").size(), filler.size());
    QCOMPARE(parser.takeBody(), QByteArray("{}"));
}

void TestHttpParser::deliversRawStreamAfterUpgradeAsItArrives()
{
    HttpResponseParser parser;
    QVERIFY(
        parser.feed("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst"));
    QVERIFY(parser.headersComplete());
    QVERIFY(parser.isRaw());
    QCOMPARE(parser.statusCode(), 101);
    QCOMPARE(parser.takeBody(), QByteArray("first"));
    QVERIFY(!parser.isComplete());

    // Anything goes in a raw stream, HTTP-looking bytes included.
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\n\r\n"));
    QCOMPARE(parser.takeBody(), QByteArray("HTTP/1.1 200 OK\r\n\r\n"));
    QVERIFY(parser.feed(QByteArray(3, '\0')));
    QCOMPARE(parser.takeBody(), QByteArray(3, '\0'));
    QVERIFY(!parser.isComplete());
    QCOMPARE(parser.takeBody(), QByteArray());

    parser.connectionClosed();
    QVERIFY(parser.isComplete());
    QVERIFY(!parser.hasError());
}

void TestHttpParser::completesAfterHeadersWhenToldThereIsNoBody()
{
    HttpResponseParser parser;
    parser.setNoBody(true); // a HEAD request
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"));
    QVERIFY(parser.isComplete());
    QVERIFY(!parser.isRaw());
    QCOMPARE(parser.header("Content-Length"), QByteArray("42"));
    QCOMPARE(parser.takeBody(), QByteArray());

    HttpResponseParser chunked;
    chunked.setNoBody(true);
    QVERIFY(chunked.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
    QVERIFY(chunked.isComplete());
}

void TestHttpParser::looksUpHeadersCaseInsensitivelyFirstValueWins()
{
    HttpResponseParser parser;
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\nAPI-Version: 1.47\r\nX-Dup: first\r\nx-dup: second\r\n"
                        "Content-Length: 0\r\n\r\n"));
    QCOMPARE(parser.header("api-version"), QByteArray("1.47"));
    QCOMPARE(parser.header("Api-Version"), QByteArray("1.47"));
    QCOMPARE(parser.header("X-DUP"), QByteArray("first"));
    QCOMPARE(parser.header("Missing"), QByteArray());
    QCOMPARE(parser.headers().size(), 4);
    QCOMPARE(parser.headers().at(2), std::pair(QByteArray("x-dup"), QByteArray("second")));
}

void TestHttpParser::handsOverChunkedBodyAsChunksArrive()
{
    HttpResponseParser parser;
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
    QVERIFY(parser.headersComplete());
    QCOMPARE(parser.takeBody(), QByteArray());
    QVERIFY(parser.feed("6\r\nhel"));
    QCOMPARE(parser.takeBody(), QByteArray("hel"));
    QVERIFY(parser.feed("lo\n\r\n"));
    QCOMPARE(parser.takeBody(), QByteArray("lo\n"));
    QVERIFY(!parser.isComplete());
    QVERIFY(parser.feed("0\r\n\r\n"));
    QVERIFY(parser.isComplete());
    QCOMPARE(parser.takeBody(), QByteArray());
}

void TestHttpParser::ignoresBytesAfterCompleteResponse()
{
    HttpResponseParser parser;
    QVERIFY(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 500 Oops\r\n\r\n"));
    QVERIFY(parser.isComplete());
    QVERIFY(parser.feed("more"));
    QCOMPARE(parser.statusCode(), 200);
    QCOMPARE(parser.takeBody(), QByteArray("{}"));
    parser.connectionClosed();
    QVERIFY(parser.isComplete());
}

void TestHttpParser::keepsFailingAfterAnError()
{
    HttpResponseParser parser;
    QVERIFY(!parser.feed("BOGUS\r\n"));
    const QString error = parser.errorString();
    QVERIFY(!error.isEmpty());
    QVERIFY(!parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    QVERIFY(!parser.isComplete());
    parser.connectionClosed();
    QVERIFY(!parser.isComplete());
    QCOMPARE(parser.errorString(), error);
}

void TestHttpParser::buildsRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("get without body has no content-length")
        << QByteArray("GET") << QByteArray("/v1.47/containers/json?all=1") << Headers{}
        << QByteArray()
        << QByteArray("GET /v1.47/containers/json?all=1 HTTP/1.1\r\nHost: docker\r\n\r\n");
    QTest::newRow("delete without body")
        << QByteArray("DELETE") << QByteArray("/containers/web?force=1")
        << Headers{{"User-Agent", "timonel/0.1"}} << QByteArray()
        << QByteArray("DELETE /containers/web?force=1 HTTP/1.1\r\nHost: docker\r\n"
                      "User-Agent: timonel/0.1\r\n\r\n");
    QTest::newRow("post with empty body says so")
        << QByteArray("POST") << QByteArray("/containers/web/start") << Headers{} << QByteArray()
        << QByteArray("POST /containers/web/start HTTP/1.1\r\nHost: docker\r\n"
                      "Content-Length: 0\r\n\r\n");
    QTest::newRow("post with json body")
        << QByteArray("POST") << QByteArray("/containers/create?name=web")
        << Headers{{"Content-Type", "application/json"}} << QByteArray(R"({"Image":"nginx"})")
        << QByteArray("POST /containers/create?name=web HTTP/1.1\r\nHost: docker\r\n"
                      "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n"
                      R"({"Image":"nginx"})");
    QTest::newRow("put with empty body says so")
        << QByteArray("PUT") << QByteArray("/x") << Headers{} << QByteArray()
        << QByteArray("PUT /x HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("streamed upload keeps the caller's content-length")
        << QByteArray("PUT") << QByteArray("/containers/web/archive?path=/")
        << Headers{{"Content-Type", "application/x-tar"}, {"content-length", "10240"}}
        << QByteArray()
        << QByteArray("PUT /containers/web/archive?path=/ HTTP/1.1\r\nHost: docker\r\n"
                      "Content-Type: application/x-tar\r\ncontent-length: 10240\r\n\r\n");
    QTest::newRow("get with a body gets content-length")
        << QByteArray("GET") << QByteArray("/x") << Headers{} << QByteArray("abc")
        << QByteArray("GET /x HTTP/1.1\r\nHost: docker\r\nContent-Length: 3\r\n\r\nabc");
    QTest::newRow("caller's host replaces the default")
        << QByteArray("GET") << QByteArray("/_ping") << Headers{{"Host", "localhost"}}
        << QByteArray() << QByteArray("GET /_ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTest::newRow("line breaks cannot inject headers")
        << QByteArray("GET") << QByteArray("/a\r\nX-Evil: 1")
        << Headers{{"X-Name", "web\r\nX-Injected: yes"}} << QByteArray()
        << QByteArray("GET /aX-Evil: 1 HTTP/1.1\r\nHost: docker\r\n"
                      "X-Name: webX-Injected: yes\r\n\r\n");
}

void TestHttpParser::buildsRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);

    QCOMPARE(buildRequest(method, target, headers, body), expected);
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"
