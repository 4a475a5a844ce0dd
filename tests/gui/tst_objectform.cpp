// The object form beside the YAML editor: fields from the text, minimal edits back to it.
#include "form/objectform.h"

#include "core/yaml.h"

#include <QComboBox>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace timonel;
using namespace timonel::gui;
using namespace Qt::StringLiterals;

namespace {

const QString deployment = uR"(# Front end, two documents in this file.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # short names please
  labels:
    app: web
spec:
  replicas: 3   # scaled by hand
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      # the main container
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        env:
        - name: MODE
          value: fast
        resources:
          requests:
            cpu: 100m
      - name: log
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web   # the pods above
  ports:
  - name: http
    port: 80
    targetPort: 8080
    nodePort: 30080
)"_s;

QLineEdit *line(ObjectForm &form, const QString &name)
{
    auto *edit = form.findChild<QLineEdit *>(name);
    if (!edit)
        qFatal("no field %s", qPrintable(name));
    return edit;
}

// Types into a field as a user would: the old text selected and replaced.
void type(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

QStringList changedLines(const QString &before, const QString &after)
{
    const QStringList a = before.split(u'\n'), b = after.split(u'\n');
    QStringList changed;
    if (a.size() != b.size())
        return {u"line count changed"_s};
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i] != b[i])
            changed << b[i];
    }
    return changed;
}

QJsonValue document(const QString &text, int index)
{
    const auto documents = core::parseYamlDocuments(text.toUtf8());
    return documents ? documents->value(index) : QJsonValue(QJsonValue::Undefined);
}

} // namespace

class TestObjectForm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<manifest::TextEdit>(); }
    void showsDeploymentFields();
    void editingReplicasChangesOnlyThatLine();
    void invalidValuesAreMarkedAndNotWritten_data();
    void invalidValuesAreMarkedAndNotWritten();
    void textChangesUpdateTheFormAndLeaveTheFieldBeingTyped();
    void roundTripThroughTheTextKeepsComments();
    void containerFieldsFollowTheSelectedContainer();
    void probeCheckChosenWritesAProbe();
    void tablesEditListsAndMaps();
    void serviceShowsTypeSelectorAndPorts();
};

void TestObjectForm::showsDeploymentFields()
{
    ObjectForm form;
    form.setDocument(deployment);
    QCOMPARE(form.kind(), u"Deployment"_s);
    QCOMPARE(line(form, u"name"_s)->text(), u"web"_s);
    QCOMPARE(line(form, u"replicas"_s)->text(), u"3"_s);
    QVERIFY(line(form, u"replicas"_s)->isEnabled());
    QCOMPARE(line(form, u"image"_s)->text(), u"nginx:1.25"_s);
    QCOMPARE(line(form, u"requestsCpu"_s)->text(), u"100m"_s);
    auto *containers = form.findChild<QListWidget *>(u"containers"_s);
    QCOMPARE(containers->count(), 2);
    QCOMPARE(containers->item(1)->text(), u"log"_s);
    auto *labels = form.findChild<QTableWidget *>(u"labels"_s);
    QCOMPARE(labels->rowCount(), 1);
    QCOMPARE(labels->item(0, 1)->text(), u"web"_s);
    auto *env = form.findChild<QTableWidget *>(u"env"_s);
    QCOMPARE(env->rowCount(), 1);
    QCOMPARE(env->item(0, 0)->text(), u"MODE"_s);

    // A DaemonSet has no replicas; the field does not apply.
    QString daemonSet = deployment;
    daemonSet.replace(u"kind: Deployment"_s, u"kind: DaemonSet"_s);
    form.setDocument(daemonSet);
    QVERIFY(!line(form, u"replicas"_s)->isEnabled());
    QVERIFY(line(form, u"image"_s)->isEnabled());
}

void TestObjectForm::editingReplicasChangesOnlyThatLine()
{
    ObjectForm form;
    form.setDocument(deployment);
    QSignalSpy edits(&form, &ObjectForm::editRequested);
    QSignalSpy texts(&form, &ObjectForm::textChanged);

    type(line(form, u"replicas"_s), u"5"_s);

    QVERIFY(!edits.isEmpty());
    const QString text = texts.last().first().toString();
    QCOMPARE(changedLines(deployment, text), QStringList{u"  replicas: 5   # scaled by hand"_s});
    QCOMPARE(text, form.text());
    // Each edit is one line of the file, the editor's undo step.
    const auto edit = edits.last().first().value<manifest::TextEdit>();
    QCOMPARE(edit.firstLine, 9);
    QCOMPARE(edit.lastLine, 9);
    QCOMPARE(edit.text, u"  replicas: 5   # scaled by hand\n"_s);
    QCOMPARE(document(text, 0)[u"spec"_s][u"replicas"_s], QJsonValue(5));
    QCOMPARE(document(text, 1), document(deployment, 1));
}

void TestObjectForm::invalidValuesAreMarkedAndNotWritten_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    QTest::newRow("replicas not a number") << "replicas"
                                           << "abc"
                                           << "must be an integer";
    QTest::newRow("negative replicas") << "replicas"
                                       << "-1"
                                       << "must be greater than or equal to 0";
    QTest::newRow("bad quantity") << "requestsCpu"
                                  << "lots"
                                  << "quantities must match the regular expression "
                                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
}

void TestObjectForm::invalidValuesAreMarkedAndNotWritten()
{
    QFETCH(QString, field);
    QFETCH(QString, input);
    QFETCH(QString, message);
    ObjectForm form;
    form.setDocument(deployment);
    QSignalSpy texts(&form, &ObjectForm::textChanged);
    QLineEdit *edit = line(form, field);
    type(edit, input);
    QVERIFY(edit->property("invalid").toBool());
    QCOMPARE(edit->toolTip(), message);
    QCOMPARE(texts.count(), 0);
    QCOMPARE(form.text(), deployment);
    QCOMPARE(edit->text(), input); // what was typed stays to be corrected

    // Corrected, it is written and unmarked.
    type(edit, u"2"_s);
    QVERIFY(!edit->property("invalid").toBool());
    QCOMPARE(texts.count(), 1);
}

void TestObjectForm::textChangesUpdateTheFormAndLeaveTheFieldBeingTyped()
{
    ObjectForm form;
    form.setDocument(deployment);
    form.show();
    form.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&form));
    QLineEdit *image = line(form, u"image"_s);
    image->setFocus();
    QTRY_VERIFY(image->hasFocus());
    type(image, u"nginx:1.2"_s);
    image->setCursorPosition(6);
    QCOMPARE(form.text(), QString(deployment).replace(u"nginx:1.25"_s, u"nginx:1.2"_s));

    // The editor changes another field: the form follows, the image field is left alone.
    const QString edited = QString(form.text()).replace(u"replicas: 3"_s, u"replicas: 7"_s);
    form.setDocument(edited);
    QCOMPARE(line(form, u"replicas"_s)->text(), u"7"_s);
    QVERIFY(image->hasFocus());
    QCOMPARE(image->cursorPosition(), 6);
    QCOMPARE(image->text(), u"nginx:1.2"_s);

    // And when the image itself changes in the text, the field shows it.
    form.setDocument(QString(edited).replace(u"nginx:1.2"_s, u"httpd:2"_s));
    QCOMPARE(image->text(), u"httpd:2"_s);
}

void TestObjectForm::roundTripThroughTheTextKeepsComments()
{
    ObjectForm form;
    form.setDocument(deployment);
    QSignalSpy texts(&form, &ObjectForm::textChanged);
    type(line(form, u"replicas"_s), u"4"_s);
    type(line(form, u"namespace"_s), u"shop"_s);
    QVERIFY(!texts.isEmpty());
    const QString text = texts.last().first().toString();

    // The editor hands the text back: no new edit, the fields as they were.
    const int before = int(texts.count());
    form.setDocument(text);
    QCOMPARE(texts.count(), before);
    QCOMPARE(line(form, u"replicas"_s)->text(), u"4"_s);
    QCOMPARE(line(form, u"namespace"_s)->text(), u"shop"_s);
    for (const QString &comment :
         {u"# Front end, two documents in this file."_s, u"   # short names please"_s,
          u"   # scaled by hand"_s, u"      # the main container"_s, u"   # the pods above"_s})
        QVERIFY2(text.contains(comment), qPrintable(comment));
    QCOMPARE(
        changedLines(QString(deployment)
                         .replace(u"  labels:\n    app: web\nspec"_s, u"  labels:\n    app: web\n"
                                                                      "  namespace: shop\nspec"_s),
                     text),
        QStringList{u"  replicas: 4   # scaled by hand"_s});
    // Clearing a field removes its key.
    type(line(form, u"namespace"_s), QString());
    QCOMPARE(changedLines(deployment, form.text()),
             QStringList{u"  replicas: 4   # scaled by hand"_s});
}

void TestObjectForm::containerFieldsFollowTheSelectedContainer()
{
    ObjectForm form;
    form.setDocument(deployment);
    form.setCurrentContainer(1);
    QCOMPARE(line(form, u"image"_s)->text(), u"busybox"_s);
    QCOMPARE(form.findChild<QTableWidget *>(u"env"_s)->rowCount(), 0);
    type(line(form, u"image"_s), u"busybox:1.36"_s);
    QCOMPARE(changedLines(deployment, form.text()), QStringList{u"        image: busybox:1.36"_s});

    type(line(form, u"limitsMemory"_s), u"64Mi"_s);
    QCOMPARE(document(form.text(),
                      0)[u"spec"_s][u"template"_s][u"spec"_s][u"containers"_s][1][u"resources"_s],
             QJsonValue(QJsonObject{{u"limits"_s, QJsonObject{{u"memory"_s, u"64Mi"_s}}}}));

    // Adding a container selects it; its name edits the list.
    form.findChild<QPushButton *>(u"addContainer"_s)->click();
    QCOMPARE(form.currentContainer(), 2);
    type(line(form, u"containerName"_s), u"sidecar"_s);
    QCOMPARE(form.findChild<QListWidget *>(u"containers"_s)->item(2)->text(), u"sidecar"_s);
    QVERIFY(form.text().contains(u"      - name: sidecar\n        image: \"\"\n---"_s));
    form.findChild<QPushButton *>(u"removeContainer"_s)->click();
    QCOMPARE(form.findChild<QListWidget *>(u"containers"_s)->count(), 2);
    QCOMPARE(form.currentContainer(), 1);
}

void TestObjectForm::probeCheckChosenWritesAProbe()
{
    ObjectForm form;
    form.setDocument(deployment);
    auto *check = form.findChild<QComboBox *>(u"livenessType"_s);
    QVERIFY(!line(form, u"livenessPath"_s)->isEnabled());
    check->setCurrentIndex(check->findData(u"httpGet"_s));
    Q_EMIT check->activated(check->currentIndex());
    const QJsonValue container =
        document(form.text(), 0)[u"spec"_s][u"template"_s][u"spec"_s][u"containers"_s][0];
    QCOMPARE(
        container[u"livenessProbe"_s],
        QJsonValue(QJsonObject{{u"httpGet"_s, QJsonObject{{u"path"_s, u"/"_s}, {u"port"_s, 80}}}}));
    QVERIFY(line(form, u"livenessPath"_s)->isEnabled());
    QCOMPARE(line(form, u"livenessPort"_s)->text(), u"80"_s);

    type(line(form, u"livenessPort"_s), u"70000"_s);
    QVERIFY(line(form, u"livenessPort"_s)->property("invalid").toBool());
    QCOMPARE(line(form, u"livenessPort"_s)->toolTip(), u"must be between 1 and 65535, inclusive"_s);
    type(line(form, u"livenessPort"_s), u"80"_s);
    type(line(form, u"livenessInitialDelay"_s), u"5"_s);
    type(line(form, u"livenessPath"_s), u"/healthz"_s);

    // To a TCP check: the port stays, the HTTP check goes.
    check->setCurrentIndex(check->findData(u"tcpSocket"_s));
    Q_EMIT check->activated(check->currentIndex());
    QCOMPARE(
        document(form.text(),
                 0)[u"spec"_s][u"template"_s][u"spec"_s][u"containers"_s][0][u"livenessProbe"_s],
        QJsonValue(QJsonObject{{u"initialDelaySeconds"_s, 5},
                               {u"tcpSocket"_s, QJsonObject{{u"port"_s, 80}}}}));
    QVERIFY(!line(form, u"livenessPath"_s)->isEnabled());

    check->setCurrentIndex(0);
    Q_EMIT check->activated(0);
    QCOMPARE(form.text(), deployment);
}

void TestObjectForm::tablesEditListsAndMaps()
{
    ObjectForm form;
    form.setDocument(deployment);
    QSignalSpy texts(&form, &ObjectForm::textChanged);

    auto *ports = form.findChild<QTableWidget *>(u"containerPorts"_s);
    ports->item(0, 1)->setText(u"70000"_s);
    QVERIFY(ports->item(0, 1)->data(Qt::UserRole).toBool());
    QCOMPARE(texts.count(), 0);
    ports->item(0, 1)->setText(u"8080"_s);
    QCOMPARE(changedLines(deployment, form.text()),
             QStringList{u"        - containerPort: 8080"_s});

    auto *labels = form.findChild<QTableWidget *>(u"labels"_s);
    labels->item(0, 1)->setText(u"shop"_s);
    QVERIFY(form.text().contains(u"metadata:\n  name: web   # short names please\n  labels:\n"
                                 "    app: shop\n"_s));
    // Renaming a key is one edit of its line.
    labels->item(0, 0)->setText(u"tier"_s);
    QVERIFY(form.text().contains(u"  labels:\n    tier: shop\nspec:"_s));
    form.findChild<QPushButton *>(u"envAdd"_s)->click();
    QCOMPARE(form.findChild<QTableWidget *>(u"env"_s)->rowCount(), 2);
    QVERIFY(form.text().contains(u"          value: fast\n        - name: NAME\n"
                                 "          value: \"\"\n"_s));
}

void TestObjectForm::serviceShowsTypeSelectorAndPorts()
{
    ObjectForm form;
    const QList<manifest::LineRange> ranges = manifest::documentRanges(deployment);
    form.setDocument(deployment, ranges[1]);
    QCOMPARE(form.kind(), u"Service"_s);
    QVERIFY(form.findChild<QGroupBox *>(u"serviceBox"_s)->isVisibleTo(&form));
    QVERIFY(!form.findChild<QGroupBox *>(u"containersBox"_s)->isVisibleTo(&form));
    auto *type = form.findChild<QComboBox *>(u"serviceType"_s);
    QCOMPARE(type->currentData().toString(), u"NodePort"_s);
    auto *selector = form.findChild<QTableWidget *>(u"selector"_s);
    QCOMPARE(selector->rowCount(), 1);
    QCOMPARE(selector->item(0, 0)->text(), u"app"_s);
    auto *ports = form.findChild<QTableWidget *>(u"servicePorts"_s);
    QCOMPARE(ports->rowCount(), 1);
    QCOMPARE(ports->item(0, 2)->text(), u"8080"_s);
    QCOMPARE(ports->item(0, 4)->text(), u"30080"_s);

    QSignalSpy edits(&form, &ObjectForm::editRequested);
    ports->item(0, 2)->setText(u"http-alt"_s);
    ports->item(0, 3)->setText(u"ICMP"_s);
    QVERIFY(ports->item(0, 3)->data(Qt::UserRole).toBool());
    QCOMPARE(ports->item(0, 3)->toolTip(),
             u"Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""_s);
    type->setCurrentIndex(type->findData(u"LoadBalancer"_s));
    Q_EMIT type->activated(type->currentIndex());
    QCOMPARE(edits.count(), 2);
    const QString text = form.text();
    QCOMPARE(changedLines(deployment, text),
             (QStringList{u"  type: LoadBalancer"_s, u"    targetPort: http-alt"_s}));
    // Edits land in the second document: its lines in the file.
    QVERIFY(edits.first().first().value<manifest::TextEdit>().firstLine > ranges[0].last);
    QCOMPARE(document(text, 0), document(deployment, 0));
}

QTEST_MAIN(TestObjectForm)
#include "tst_objectform.moc"
