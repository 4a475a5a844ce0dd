// The form's fields and tables bound to paths of the document it shows. Each one shows the value
// at its path and writes what is typed there back into the text as a manifest::DocumentEdit:
// only that field's lines change. A field keeps what is being typed in it (cursor and all)
// while its value in the document stays what it showed, and marks a value the API server would
// refuse, with its message, instead of writing it.
//
// The form's sections (metadata, containers, probes, service) add their widgets here; the
// ObjectForm reads the document in and refreshes.
#pragma once

#include "form/fieldvalue.h"
#include "manifest/yamledit.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>

#include <functional>
#include <optional>

class QBoxLayout;
class QComboBox;
class QFormLayout;
class QLineEdit;
class QTableWidget;
class QTableWidgetItem;
class QWidget;

namespace timonel::gui::form {

// Where a field's value is in the document now; "" while the field does not apply (the kind
// has no such field, no container is chosen): the field is disabled then.
using PathFunction = std::function<QString()>;

// What a field edits: the object, or the container shown (fields of this scope start afresh
// when another container is chosen).
enum class Scope
{
    Object,
    Container
};

// A column of a table of list items: the items' key it shows.
struct Column
{
    QString header;
    QString key;
    FieldType type = FieldType::Text;
};

class FormBinding : public QObject
{
    Q_OBJECT
public:
    using Change = std::function<std::expected<void, QString>(manifest::DocumentEdit &)>;

    // --- the document
    void setDocument(const QString &text, manifest::LineRange range);
    // Reads the document; false when it does not parse now (value() stays as last read).
    bool read();
    const QString &text() const { return m_text; }
    manifest::LineRange range() const { return m_range; }
    const QJsonValue &value() const { return m_value; } // null until read
    // Changes the document: the new text becomes this binding's, the form refreshes
    // (refreshRequested) and then edited() tells the editor. A change refused shows its reason.
    bool apply(const Change &change);

    // --- fields
    QLineEdit *addLine(QFormLayout *form, const QString &name, const QString &label, FieldType type,
                       PathFunction path, Scope scope = Scope::Object);
    // A combo box of (text shown, value written) items; "" writes nothing (removes the field).
    QComboBox *addChoice(QFormLayout *form, const QString &name, const QString &label,
                         const QList<std::pair<QString, QString>> &items, PathFunction path);
    // A table with Add and Remove buttons below it: of a list's items, a column per key (Add
    // appends `newItem`), or without columns of a map of strings (a key and a value a row).
    QTableWidget *addTable(QBoxLayout *layout, const QString &name, const QString &label,
                           PathFunction path, const QList<Column> &columns = {},
                           const QJsonObject &newItem = {}, Scope scope = Scope::Object);

    // Every field and table whose value in the document changed shows it.
    void refresh();
    // The fields of this scope show their values afresh at the next refresh.
    void reset(Scope scope);
    void requestRefresh() { Q_EMIT refreshRequested(); }
    void showMessage(const QString &text) { Q_EMIT message(text); }

Q_SIGNALS:
    void refreshRequested();
    // One change made in the form, as one edit of the file's lines.
    void edited(const timonel::manifest::TextEdit &edit);
    // Why the last change was not made; "" when it was.
    void message(const QString &text);

private:
    struct Field
    {
        QWidget *widget = nullptr; // a QLineEdit or a QComboBox
        QString label;
        FieldType type = FieldType::Text;
        PathFunction path;
        Scope scope = Scope::Object;
        std::optional<QString> shown; // the document's value as last shown or written
    };
    struct Table
    {
        QTableWidget *table = nullptr;
        QString label;
        PathFunction path;
        QList<Column> columns; // none: a map of strings (labels, selector)
        QJsonObject newItem;   // what Add appends to a list
        Scope scope = Scope::Object;
        std::optional<QJsonValue> shown;
        QStringList keys; // a map's keys, row by row
    };

    void refreshField(Field &field);
    void refreshTable(Table &table);
    void fieldEdited(int index);
    void fieldFinished(int index);
    void cellEdited(int index, QTableWidgetItem *item);
    void addRow(int index);
    void removeRow(int index);

    QString m_text;
    manifest::LineRange m_range;
    QJsonValue m_value;
    QList<Field> m_fields;
    QList<Table> m_tables;
    bool m_refreshing = false; // tables being filled: their itemChanged is no edit
};

} // namespace timonel::gui::form
