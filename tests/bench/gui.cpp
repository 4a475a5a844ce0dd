// The desktop's editor under a large file: opening a 5,000-line multi-document manifest in a
// manifest tab (text, highlighting, first paint) and checking it against the schema, the median
// of 7 runs, against the baseline of a plain QPlainTextEdit taking the same text. Offscreen.
#include "editor/yamleditor.h"
#include "manifesttab.h"

#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

QString largeManifest()
{
    QString text;
    for (int n = 0; text.count(u'\n') < 5000; ++n)
        text += uR"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web%1
  labels: {app: web%1}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web%1}
  template:
    metadata:
      labels: {app: web%1}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - {name: MODE, value: production}
        readinessProbe:
          httpGet: {path: /, port: 80}
          periodSeconds: 5
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web%1
spec:
  selector: {app: web%1}
  ports:
  - port: 80
    targetPort: 80
---
)"_s.arg(n);
    return text;
}

qint64 median(QList<qint64> values)
{
    std::ranges::sort(values);
    return values.at(values.size() / 2);
}

} // namespace

class BenchGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAndValidateALargeManifest()
    {
        const QString text = largeManifest();
        QList<qint64> plain, open, check;
        for (int run = 0; run < 7; ++run) {
            {
                QPlainTextEdit baseline;
                baseline.resize(1000, 800);
                baseline.show();
                QElapsedTimer timer;
                timer.start();
                baseline.setPlainText(text);
                baseline.repaint();
                plain.append(timer.elapsed());
            }
            gui::ManifestTab tab;
            tab.resize(1000, 800);
            tab.show();
            QElapsedTimer timer;
            timer.start();
            tab.editor()->setText(text);
            tab.editor()->repaint();
            open.append(timer.elapsed());
            timer.restart();
            tab.check();
            check.append(timer.elapsed());
            QVERIFY2(tab.problems().isEmpty(), qPrintable(tab.problems().value(0).message));
        }
        const qint64 total = median(open) + median(check);
        std::printf("5,000-line manifest (%lld lines), median of 7 runs:\n"
                    "  plain QPlainTextEdit setPlainText + paint: %lld ms\n"
                    "  open (text, highlighting, paint):          %lld ms\n"
                    "  check against the schema:                  %lld ms\n"
                    "  open and validate:                         %lld ms   (target <= 300 ms; "
                    "%.1fx the plain editor)\n",
                    qint64(text.count(u'\n')), median(plain), median(open), median(check), total,
                    double(total) / std::max<qint64>(1, median(plain)));
    }
};

QTEST_MAIN(BenchGui)
#include "gui.moc"
