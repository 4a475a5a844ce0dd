// A form for the Kubernetes object of one YAML document, beside the text editor: name,
// namespace and labels, and by kind the fields people change most — a workload's replicas and
// containers (name, image, ports, env, resource requests and limits, liveness and readiness
// probes), a Service's type, selector and ports.
//
// Editing a field edits the YAML text in place (manifest::DocumentEdit): only that field's
// lines change; comments, quoting and the other documents stay. An invalid value (replicas
// "abc", port 70000) is marked on its field with Kubernetes' message and not written.
// Text edited elsewhere comes back through setDocument(): fields whose value did not change are
// left alone, so the one being typed in keeps its focus and cursor, and the form's own edits
// coming back are recognised and do nothing (no feedback loop).
//
// Its parts: the fields bound to the document (formbinding.h, fieldvalue.h) and one section a
// concept: metadatasection.h, containerssection.h with probesection.h, servicesection.h; which
// kinds run pods is the table in workloadkinds.h.
#pragma once

#include "manifest/yamledit.h"

#include <QWidget>

#include <memory>

namespace timonel::gui {

class ObjectFormPrivate;

class ObjectForm : public QWidget
{
    Q_OBJECT
public:
    explicit ObjectForm(QWidget *parent = nullptr);
    ~ObjectForm() override;

    // The whole file and the lines of the document to show (manifest::documentRanges, or
    // YamlDocument's firstLine..lastLine); without a range, the file's first document.
    void setDocument(const QString &text);
    void setDocument(const QString &text, manifest::LineRange document);

    QString text() const;                      // the file, with the form's edits
    manifest::LineRange documentRange() const; // where the document is in it now
    QString kind() const;                      // "" when the document does not parse

    // The container whose fields are shown (-1: none), in the list of the pod template's.
    int currentContainer() const;
    void setCurrentContainer(int index);

Q_SIGNALS:
    // One change made in the form as one edit of the file's lines, for the editor to apply as
    // one undo step: YamlEditor::replaceLines(edit.firstLine, edit.lastLine, edit.text).
    void editRequested(const timonel::manifest::TextEdit &edit);
    // The file's text after that edit.
    void textChanged(const QString &text);

private:
    friend class ObjectFormPrivate;
    std::unique_ptr<ObjectFormPrivate> d;
};

} // namespace timonel::gui
