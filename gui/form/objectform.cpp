#include "form/objectform.h"

#include "form/containerssection.h"
#include "form/formbinding.h"
#include "form/metadatasection.h"
#include "form/servicesection.h"
#include "form/workloadkinds.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace timonel::gui {

class ObjectFormPrivate
{
public:
    explicit ObjectFormPrivate(ObjectForm *form);
    void refresh();

    ObjectForm *q;
    // The widgets' connections have this as their context: it goes with this, before the
    // widgets do, so a focused field losing its focus while the form is destroyed reaches
    // nothing.
    form::FormBinding binding;
    QLabel *problem;
    QWidget *content;
    QLabel *message;
    form::MetadataSection *metadata;
    form::ContainersSection *containers;
    form::ServiceSection *service;
};

ObjectFormPrivate::ObjectFormPrivate(ObjectForm *form) : q(form)
{
    auto *outer = new QVBoxLayout(q);
    outer->setContentsMargins(0, 0, 0, 0);
    problem = new QLabel(q);
    problem->setObjectName(u"problem"_s);
    problem->setWordWrap(true);
    problem->hide();
    outer->addWidget(problem);
    auto *scroll = new QScrollArea(q);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll, 1);
    message = new QLabel(q);
    message->setObjectName(u"message"_s);
    message->setWordWrap(true);
    outer->addWidget(message);

    content = new QWidget;
    scroll->setWidget(content);
    auto *column = new QVBoxLayout(content);
    metadata = new form::MetadataSection(&binding);
    containers = new form::ContainersSection(&binding);
    service = new form::ServiceSection(&binding);
    column->addWidget(metadata);
    column->addWidget(containers);
    column->addWidget(service);
    column->addStretch(1);

    QObject::connect(&binding, &form::FormBinding::refreshRequested, &binding,
                     [this] { refresh(); });
    QObject::connect(&binding, &form::FormBinding::message, message, &QLabel::setText);
    QObject::connect(&binding, &form::FormBinding::edited, &binding,
                     [this](const manifest::TextEdit &edit) {
                         Q_EMIT q->editRequested(edit);
                         Q_EMIT q->textChanged(binding.text());
                     });
}

void ObjectFormPrivate::refresh()
{
    if (!binding.read()) {
        // Keep showing what was last read while the text is being typed.
        problem->setText(ObjectForm::tr("The document is not valid YAML at the moment; the form "
                                        "shows it as it was last read."));
        problem->show();
        content->setEnabled(false);
        return;
    }
    problem->hide();
    content->setEnabled(true);
    const QString kind = binding.value()[u"kind"_s].toString();
    const form::WorkloadKind *workload = form::workloadKind(kind);
    metadata->refresh(workload);
    containers->refresh(workload);
    service->setVisible(kind == u"Service");
    binding.refresh();
}

// --- ObjectForm ---------------------------------------------------------------------------------

ObjectForm::ObjectForm(QWidget *parent)
    : QWidget(parent), d(std::make_unique<ObjectFormPrivate>(this))
{
    d->refresh();
}

ObjectForm::~ObjectForm() = default;

void ObjectForm::setDocument(const QString &text)
{
    const QList<manifest::LineRange> ranges = manifest::documentRanges(text);
    setDocument(text, ranges.isEmpty() ? manifest::LineRange{1, manifest::lineCount(text)}
                                       : ranges.first());
}

void ObjectForm::setDocument(const QString &text, manifest::LineRange document)
{
    if (text == d->binding.text() && document == d->binding.range())
        return; // our own edit coming back
    d->binding.setDocument(text, document);
    d->refresh();
}

QString ObjectForm::text() const
{
    return d->binding.text();
}

manifest::LineRange ObjectForm::documentRange() const
{
    return d->binding.range();
}

QString ObjectForm::kind() const
{
    return d->binding.value()[u"kind"_s].toString();
}

int ObjectForm::currentContainer() const
{
    return d->containers->current();
}

void ObjectForm::setCurrentContainer(int index)
{
    d->containers->select(index);
}

} // namespace timonel::gui
