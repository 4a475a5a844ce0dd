// The desktop under load, offscreen:
// - the editor: opening a 5,000-line multi-document manifest in a manifest tab (text,
//   highlighting, first paint) and checking it against the schema, the median of 7 runs, against
//   the baseline of a plain QPlainTextEdit taking the same text;
// - the topology graph: one frame in which 1,000 pods change state (the watch events applied to
//   the model, the cards updated, the view painted), the median of 15 frames, against the
//   baseline of painting the same view with nothing changed.
#include "editor/yamleditor.h"
#include "manifesttab.h"
#include "topology/topologymodel.h"
#include "topology/topologyscene.h"
#include "topology/topologyview.h"

#include <QElapsedTimer>
#include <QJsonArray>
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

// A pod of `owner` on `node`, its one container ready or not.
QJsonObject pod(int n, const QString &owner, const QString &node, bool ready)
{
    const QJsonObject container{{u"name"_s, u"app"_s},
                                {u"ready"_s, ready},
                                {u"restartCount"_s, ready ? 0 : 1},
                                {u"state"_s, QJsonObject{{u"running"_s, QJsonObject{}}}}};
    return {
        {u"metadata"_s, QJsonObject{{u"namespace"_s, u"bench"_s},
                                    {u"name"_s, u"%1-%2"_s.arg(owner).arg(n)},
                                    {u"uid"_s, u"pod-%1-%2"_s.arg(owner).arg(n)},
                                    {u"labels"_s, QJsonObject{{u"app"_s, owner}}},
                                    {u"ownerReferences"_s,
                                     QJsonArray{QJsonObject{{u"uid"_s, u"rs-"_s + owner}}}}}},
        {u"spec"_s, QJsonObject{{u"nodeName"_s, node},
                                {u"containers"_s, QJsonArray{QJsonObject{{u"name"_s, u"app"_s}}}}}},
        {u"status"_s,
         QJsonObject{{u"phase"_s, u"Running"_s}, {u"containerStatuses"_s, QJsonArray{container}}}}};
}

template <typename T> qint64 median(QList<T> values)
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

    void graphUpdateWith1000PodsChangingState()
    {
        topology::TopologyModel model;
        const QStringList nodes{u"control-plane"_s, u"worker"_s, u"worker2"_s};
        for (const QString &node : nodes)
            model.apply(
                u"nodes"_s,
                {{u"metadata"_s, QJsonObject{{u"name"_s, node}}},
                 {u"status"_s, QJsonObject{{u"conditions"_s,
                                            QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                                   {u"status"_s, u"True"_s}}}}}}});
        QList<QJsonObject> ready, unready;
        for (int d = 0; d < 10; ++d) {
            const QString owner = u"app%1"_s.arg(d);
            model.apply(u"replicasets.apps"_s,
                        {{u"metadata"_s, QJsonObject{{u"namespace"_s, u"bench"_s},
                                                     {u"name"_s, owner},
                                                     {u"uid"_s, u"rs-"_s + owner}}},
                         {u"spec"_s, QJsonObject{{u"replicas"_s, 100}}}});
            model.apply(
                u"services"_s,
                {{u"metadata"_s, QJsonObject{{u"namespace"_s, u"bench"_s}, {u"name"_s, owner}}},
                 {u"spec"_s, QJsonObject{{u"selector"_s, QJsonObject{{u"app"_s, owner}}}}}});
            for (int n = 0; n < 100; ++n) {
                ready.append(pod(n, owner, nodes[(d * 100 + n) % 3], true));
                unready.append(pod(n, owner, nodes[(d * 100 + n) % 3], false));
            }
        }
        for (const QJsonObject &p : std::as_const(ready))
            model.apply(u"pods"_s, p);

        topology::TopologyScene scene(&model);
        scene.setAnimated(false);
        topology::TopologyView view(&scene);
        view.resize(1400, 900);
        view.show();
        QElapsedTimer layoutTimer;
        layoutTimer.start();
        QTRY_VERIFY_WITH_TIMEOUT(scene.layoutCount() == 1 && !scene.isSettling(), 60000);
        const qint64 layout = layoutTimer.elapsed();
        QCOMPARE(scene.objectCount(), 1020);
        view.fit();

        QList<qint64> baseline, frames, models;
        for (int frame = 0; frame < 15; ++frame) {
            QElapsedTimer timer;
            timer.start();
            view.viewport()->repaint();
            baseline.append(timer.nsecsElapsed() / 1000);
            timer.restart();
            for (const QJsonObject &p : frame % 2 ? std::as_const(ready) : std::as_const(unready))
                model.apply(u"pods"_s, p);
            models.append(timer.nsecsElapsed() / 1000);
            view.viewport()->repaint();
            frames.append(timer.nsecsElapsed() / 1000);
        }
        QCOMPARE(scene.layoutCount(), 1); // state changes never lay out again
        std::printf("Topology graph, 1,000 pods on 3 nodes (10 ReplicaSets, 10 Services):\n"
                    "  first layout (Graphviz, off the UI thread): %lld ms\n"
                    "  paint the whole graph, nothing changed:     %.1f ms\n"
                    "  frame with 1,000 pods changing state:       %.1f ms   (target <= 16 ms; "
                    "%.1fx the plain paint)\n"
                    "    of which the watch events into the model and its cards: %.1f ms\n",
                    layout, median(baseline) / 1000.0, median(frames) / 1000.0,
                    double(median(frames)) / std::max<qint64>(1, median(baseline)),
                    median(models) / 1000.0);
    }
};

QTEST_MAIN(BenchGui)
#include "gui.moc"
