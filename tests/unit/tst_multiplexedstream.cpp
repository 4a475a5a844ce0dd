#include "docker/multiplexedstream.h"

#include <QTest>

using namespace timonel::docker;

using Frame = MultiplexedStreamDecoder::Frame;
using Frames = QList<Frame>;

namespace {

QByteArray encodeAll(const Frames &frames)
{
    QByteArray out;
    for (const Frame &frame : frames)
        out += encodeFrame(frame.stream, frame.payload);
    return out;
}

// Offsets in the encoded stream where one frame ends and the next begins (0 included).
QList<qsizetype> frameBoundaries(const Frames &frames)
{
    QList<qsizetype> boundaries{0};
    qsizetype at = 0;
    for (const Frame &frame : frames) {
        at += 8 + frame.payload.size();
        boundaries.append(at);
    }
    return boundaries;
}

Frames decodeInPieces(const QByteArray &stream, qsizetype pieceSize)
{
    MultiplexedStreamDecoder decoder;
    Frames frames;
    for (qsizetype at = 0; at < stream.size(); at += pieceSize)
        frames += decoder.feed(
            QByteArrayView(stream).sliced(at, std::min(pieceSize, stream.size() - at)));
    if (decoder.hasPartialFrame() || decoder.hasError())
        return {};
    return frames;
}

} // namespace

namespace timonel::docker {
// Readable QCOMPARE failures.
char *toString(const MultiplexedStreamDecoder::Frame &frame)
{
    return QTest::toString(QByteArray::number(frame.stream) + ":" + frame.payload.left(40));
}
} // namespace timonel::docker

class TestMultiplexedStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesFramesSplitAnywhere_data();
    void decodesFramesSplitAnywhere();
    void decodesOneMebibyteFrames_data();
    void decodesOneMebibyteFrames();
    void encodesBigEndianHeader();
    void rejectsUnknownStreamType();
    void splitsLinesSplitAnywhere_data();
    void splitsLinesSplitAnywhere();
    void keepsUnterminatedLineUntilTaken();
};

void TestMultiplexedStream::decodesFramesSplitAnywhere_data()
{
    QTest::addColumn<Frames>("frames");

    QTest::newRow("one stdout frame") << Frames{{StdoutStream, "hello world\n"}};
    QTest::newRow("stdout and stderr interleaved")
        << Frames{{StdoutStream, "starting\n"},
                  {StderrStream, "warning: low memory\n"},
                  {StdoutStream, "ready\n"}};
    QTest::newRow("zero-length frames between") << Frames{{StdoutStream, ""},
                                                          {StdoutStream, "a"},
                                                          {StderrStream, ""},
                                                          {StdoutStream, ""},
                                                          {StderrStream, "b"}};
    QTest::newRow("only a zero-length frame") << Frames{{StdoutStream, ""}};
    QTest::newRow("stdin and system error streams")
        << Frames{{StdinStream, "typed"}, {SystemErrorStream, "exec failed: no such file"}};
    QTest::newRow("payload that looks like headers")
        << Frames{{StdoutStream, QByteArray("\x02\0\0\0\0\0\0\x09", 8)},
                  {StderrStream, QByteArray(300, '\0')}};
    QTest::newRow("payload of 256 bytes uses the size's second byte")
        << Frames{{StdoutStream, QByteArray(256, 'x')}, {StderrStream, "tail"}};
}

void TestMultiplexedStream::decodesFramesSplitAnywhere()
{
    QFETCH(Frames, frames);
    const QByteArray stream = encodeAll(frames);
    const QList<qsizetype> boundaries = frameBoundaries(frames);

    // Two pieces, cut at every position.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        MultiplexedStreamDecoder decoder;
        Frames decoded = decoder.feed(QByteArrayView(stream).first(cut));
        QCOMPARE(decoder.hasPartialFrame(), !boundaries.contains(cut));
        decoded += decoder.feed(QByteArrayView(stream).sliced(cut));
        QVERIFY(!decoder.hasPartialFrame());
        QVERIFY(!decoder.hasError());
        QCOMPARE(decoded, frames);
    }

    // Three pieces, cut at every pair of positions.
    for (qsizetype first = 0; first <= stream.size(); ++first) {
        for (qsizetype second = first; second <= stream.size(); ++second) {
            MultiplexedStreamDecoder decoder;
            Frames decoded = decoder.feed(QByteArrayView(stream).first(first));
            decoded += decoder.feed(QByteArrayView(stream).sliced(first, second - first));
            decoded += decoder.feed(QByteArrayView(stream).sliced(second));
            if (decoded != frames)
                QFAIL(qPrintable(QStringLiteral("cuts at %1 and %2").arg(first).arg(second)));
        }
    }

    QCOMPARE(decodeInPieces(stream, 1), frames);
}

void TestMultiplexedStream::decodesOneMebibyteFrames_data()
{
    QTest::addColumn<qsizetype>("pieceSize");
    QTest::newRow("whole") << qsizetype(8 << 20);
    QTest::newRow("one mebibyte") << qsizetype(1 << 20);
    QTest::newRow("pipe-sized pieces") << qsizetype(65536);
    QTest::newRow("odd pieces") << qsizetype(4099);
    QTest::newRow("seven bytes") << qsizetype(7);
}

void TestMultiplexedStream::decodesOneMebibyteFrames()
{
    QFETCH(qsizetype, pieceSize);
    QByteArray big(1 << 20, Qt::Uninitialized);
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char(i * 7 + i / 251);
    const Frames frames{{StdoutStream, big},
                        {StderrStream, "between"},
                        {StderrStream, big.left((1 << 20) - 3)},
                        {StdoutStream, ""}};
    const Frames decoded = decodeInPieces(encodeAll(frames), pieceSize);
    QCOMPARE(decoded.size(), frames.size());
    for (qsizetype i = 0; i < frames.size(); ++i) {
        QCOMPARE(decoded[i].stream, frames[i].stream);
        QVERIFY(decoded[i].payload == frames[i].payload);
    }
}

void TestMultiplexedStream::encodesBigEndianHeader()
{
    const QByteArray payload(0x010203, 'p');
    const QByteArray frame = encodeFrame(StderrStream, payload);
    QCOMPARE(frame.size(), 8 + payload.size());
    QCOMPARE(frame.first(8), QByteArray("\x02\0\0\0\0\x01\x02\x03", 8));
    QCOMPARE(encodeFrame(StdoutStream, ""), QByteArray("\x01\0\0\0\0\0\0\0", 8));
    QCOMPARE(encodeFrame(StdoutStream, "hi"), QByteArray("\x01\0\0\0\0\0\0\x02hi", 10));
}

void TestMultiplexedStream::rejectsUnknownStreamType()
{
    // A TTY stream is not multiplexed: its first byte is text.
    MultiplexedStreamDecoder decoder;
    QVERIFY(decoder.feed("root@node:/# ls\r\n").isEmpty());
    QVERIFY(decoder.hasError());
    QVERIFY(decoder.errorString().contains(QStringLiteral("stream type")));
    QVERIFY(decoder.feed(encodeFrame(StdoutStream, "late")).isEmpty());

    MultiplexedStreamDecoder four;
    QVERIFY(four.feed(encodeFrame(StdoutStream, "ok")).size() == 1);
    QVERIFY(four.feed(encodeFrame(4, "bad")).isEmpty());
    QVERIFY(four.hasError());
}

void TestMultiplexedStream::splitsLinesSplitAnywhere_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<QByteArray>>("lines");
    QTest::addColumn<QByteArray>("rest");

    QTest::newRow("lines ending in lf")
        << QByteArray("first\nsecond\n") << QList<QByteArray>{"first", "second"} << QByteArray();
    QTest::newRow("lines ending in crlf") << QByteArray("first\r\nsecond\r\n")
                                          << QList<QByteArray>{"first", "second"} << QByteArray();
    QTest::newRow("mixed line ends")
        << QByteArray("a\r\nb\nc\r\n") << QList<QByteArray>{"a", "b", "c"} << QByteArray();
    QTest::newRow("empty lines are kept")
        << QByteArray("\n\r\nx\n\n") << QList<QByteArray>{"", "", "x", ""} << QByteArray();
    QTest::newRow("unterminated last line")
        << QByteArray("done\npartial") << QList<QByteArray>{"done"} << QByteArray("partial");
    QTest::newRow("no line end at all")
        << QByteArray("partial") << QList<QByteArray>{} << QByteArray("partial");
    QTest::newRow("carriage return inside a line")
        << QByteArray("progress\r50%\rdone\n") << QList<QByteArray>{"progress\r50%\rdone"}
        << QByteArray();
    QTest::newRow("json lines")
        << QByteArray("{\"status\":\"Pulling\"}\r\n{\"status\":\"Done\",\"id\":\"a\"}\r\n{\"err")
        << QList<QByteArray>{R"({"status":"Pulling"})", R"({"status":"Done","id":"a"})"}
        << QByteArray("{\"err");
    QTest::newRow("nul bytes pass through")
        << QByteArray("a\0b\n", 4) << QList<QByteArray>{QByteArray("a\0b", 3)} << QByteArray();
}

void TestMultiplexedStream::splitsLinesSplitAnywhere()
{
    QFETCH(QByteArray, input);
    QFETCH(QList<QByteArray>, lines);
    QFETCH(QByteArray, rest);

    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        LineSplitter splitter;
        QList<QByteArray> got = splitter.feed(QByteArrayView(input).first(cut));
        got += splitter.feed(QByteArrayView(input).sliced(cut));
        QCOMPARE(got, lines);
        QCOMPARE(splitter.takeRest(), rest);
        QCOMPARE(splitter.takeRest(), QByteArray());
    }

    LineSplitter byteByByte;
    QList<QByteArray> got;
    for (char c : input)
        got += byteByByte.feed(QByteArrayView(&c, 1));
    QCOMPARE(got, lines);
    QCOMPARE(byteByByte.takeRest(), rest);
}

void TestMultiplexedStream::keepsUnterminatedLineUntilTaken()
{
    LineSplitter splitter;
    QVERIFY(splitter.feed("abc").isEmpty());
    QVERIFY(splitter.feed("def").isEmpty());
    QCOMPARE(splitter.feed("\nghi"), QList<QByteArray>{"abcdef"});
    QCOMPARE(splitter.takeRest(), QByteArray("ghi"));
    QCOMPARE(splitter.feed("jkl\n"), QList<QByteArray>{"jkl"});
}

QTEST_GUILESS_MAIN(TestMultiplexedStream)
#include "tst_multiplexedstream.moc"
