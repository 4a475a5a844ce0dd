#include "form/formbinding.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QTableWidget>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

namespace {

QString widgetText(QWidget *widget)
{
    if (auto *combo = qobject_cast<QComboBox *>(widget))
        return combo->currentData().toString();
    return static_cast<QLineEdit *>(widget)->text();
}

void setWidgetText(QWidget *widget, const QString &text)
{
    if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        int index = combo->findData(text);
        if (index < 0) { // a value the list does not offer, shown as written
            combo->addItem(text, text);
            index = combo->count() - 1;
        }
        combo->setCurrentIndex(index);
    } else if (static_cast<QLineEdit *>(widget)->text() != text) {
        static_cast<QLineEdit *>(widget)->setText(text);
    }
}

// An invalid field keeps what was typed, marked, with the reason as its tooltip.
void markField(QWidget *widget, const QString &error)
{
    if (widget->property("invalid").toBool() == !error.isEmpty() && widget->toolTip() == error)
        return;
    widget->setProperty("invalid", !error.isEmpty());
    widget->setToolTip(error);
    widget->setStyleSheet(error.isEmpty() ? QString()
                                          : u"QLineEdit { border: 1px solid #d32f2f; }"_s);
}

void markCell(QTableWidgetItem *item, const QString &error)
{
    item->setData(Qt::UserRole, !error.isEmpty()); // "invalid", for tests and tools
    item->setToolTip(error);
    item->setBackground(error.isEmpty() ? QBrush() : QBrush(QColor(211, 47, 47, 70)));
}

} // namespace

// --- the document -------------------------------------------------------------------------------

void FormBinding::setDocument(const QString &text, manifest::LineRange range)
{
    m_text = text;
    m_range = range;
}

bool FormBinding::read()
{
    const QJsonValue read = manifest::DocumentEdit(m_text, m_range).value();
    if (read.isUndefined())
        return false;
    m_value = read;
    return true;
}

bool FormBinding::apply(const Change &change)
{
    manifest::DocumentEdit edit(m_text, m_range);
    if (const auto done = change(edit); !done) {
        showMessage(done.error());
        return false;
    }
    const manifest::TextEdit lines = edit.edit();
    if (lines.isEmpty())
        return true;
    // The form's own state first, so the text coming back through setDocument() is no news.
    m_text = edit.text();
    m_range = edit.document();
    requestRefresh();
    Q_EMIT edited(lines);
    return true;
}

// --- building -----------------------------------------------------------------------------------

QLineEdit *FormBinding::addLine(QFormLayout *form, const QString &name, const QString &label,
                                FieldType type, PathFunction path, Scope scope)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(name);
    form->addRow(tr("%1:", "a field's label").arg(label), edit);
    const int index = int(m_fields.size());
    m_fields.append({edit, label, type, std::move(path), scope});
    connect(edit, &QLineEdit::textEdited, this, [this, index] { fieldEdited(index); });
    connect(edit, &QLineEdit::editingFinished, this, [this, index] { fieldFinished(index); });
    return edit;
}

QComboBox *FormBinding::addChoice(QFormLayout *form, const QString &name, const QString &label,
                                  const QList<std::pair<QString, QString>> &items,
                                  PathFunction path)
{
    auto *combo = new QComboBox;
    combo->setObjectName(name);
    for (const auto &[text, data] : items)
        combo->addItem(text, data);
    form->addRow(tr("%1:", "a field's label").arg(label), combo);
    const int index = int(m_fields.size());
    m_fields.append({combo, label, FieldType::Choice, std::move(path), Scope::Object});
    connect(combo, &QComboBox::activated, this, [this, index] { fieldEdited(index); });
    return combo;
}

QTableWidget *FormBinding::addTable(QBoxLayout *layout, const QString &name, const QString &label,
                                    PathFunction path, const QList<Column> &columns,
                                    const QJsonObject &newItem, Scope scope)
{
    auto *table = new QTableWidget;
    table->setObjectName(name);
    QStringList headers;
    for (const Column &column : columns)
        headers << column.header;
    if (columns.isEmpty())
        headers = {tr("Key"), tr("Value")};
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setMinimumHeight(90);
    table->setMaximumHeight(160);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add"));
    auto *remove = new QPushButton(tr("Remove"));
    add->setObjectName(name + u"Add"_s);
    remove->setObjectName(name + u"Remove"_s);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *box = new QVBoxLayout;
    box->addWidget(table);
    box->addLayout(buttons);
    layout->addLayout(box);
    const int index = int(m_tables.size());
    m_tables.append({table, label, std::move(path), columns, newItem, scope});
    connect(table, &QTableWidget::itemChanged, this,
            [this, index](QTableWidgetItem *item) { cellEdited(index, item); });
    connect(add, &QPushButton::clicked, this, [this, index] { addRow(index); });
    connect(remove, &QPushButton::clicked, this, [this, index] { removeRow(index); });
    return table;
}

// --- document -> form ---------------------------------------------------------------------------

void FormBinding::refresh()
{
    for (Field &field : m_fields)
        refreshField(field);
    for (Table &table : m_tables)
        refreshTable(table);
}

void FormBinding::reset(Scope scope)
{
    for (Field &field : m_fields) {
        if (field.scope == scope)
            field.shown.reset();
    }
    for (Table &table : m_tables) {
        if (table.scope == scope)
            table.shown.reset();
    }
}

void FormBinding::refreshField(Field &field)
{
    const QString path = field.path();
    field.widget->setEnabled(!path.isEmpty());
    const QString shown = path.isEmpty() ? QString() : display(manifest::valueAt(m_value, path));
    if (field.shown == shown)
        return; // unchanged: what is typed there stays, cursor and all
    field.shown = shown;
    setWidgetText(field.widget, shown);
    markField(field.widget, {});
}

void FormBinding::refreshTable(Table &table)
{
    const QString path = table.path();
    table.table->setEnabled(!path.isEmpty());
    const QJsonValue now = path.isEmpty() ? QJsonValue() : manifest::valueAt(m_value, path);
    if (table.shown == now)
        return;
    table.shown = now;
    const QScopedValueRollback guard(m_refreshing, true);
    QList<QStringList> rows;
    if (table.columns.isEmpty()) {
        const QJsonObject map = now.toObject();
        table.keys = map.keys();
        for (const QString &key : std::as_const(table.keys))
            rows.append({key, display(map.value(key))});
    } else {
        for (const QJsonValue &item : now.toArray()) {
            QStringList cells;
            for (const Column &column : std::as_const(table.columns))
                cells << display(item[column.key]);
            rows.append(cells);
        }
    }
    // Cells are updated in place, so the current cell stays where it was.
    table.table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < rows[r].size(); ++c) {
            QTableWidgetItem *item = table.table->item(r, c);
            if (!item) {
                item = new QTableWidgetItem;
                table.table->setItem(r, c, item);
            }
            if (item->text() != rows[r][c])
                item->setText(rows[r][c]);
            markCell(item, {});
        }
    }
}

// --- form -> document ---------------------------------------------------------------------------

void FormBinding::fieldEdited(int index)
{
    Field &field = m_fields[index];
    const QString path = field.path();
    if (path.isEmpty())
        return;
    const QString typed = widgetText(field.widget);
    // A field emptied to type anew keeps its key (and its place) until editing ends.
    if (typed.trimmed().isEmpty() && qobject_cast<QLineEdit *>(field.widget)) {
        markField(field.widget, {});
        return;
    }
    const auto written = fieldValue(field.type, typed);
    if (!written) {
        markField(field.widget, written.error());
        showMessage(tr("%1: %2", "a field's label: the problem with its value")
                        .arg(field.label, written.error()));
        return;
    }
    markField(field.widget, {});
    showMessage({});
    field.shown = display(*written); // the field as typed is what the document now says
    apply([&](manifest::DocumentEdit &edit) { return edit.setValue(path, *written); });
}

void FormBinding::fieldFinished(int index)
{
    Field &field = m_fields[index];
    const QString path = field.path();
    if (path.isEmpty() || !widgetText(field.widget).trimmed().isEmpty() ||
        manifest::valueAt(m_value, path).isUndefined())
        return;
    field.shown = QString();
    apply([&](manifest::DocumentEdit &edit) { return edit.setValue(path, QJsonValue::Undefined); });
}

void FormBinding::cellEdited(int index, QTableWidgetItem *item)
{
    if (m_refreshing)
        return;
    Table &table = m_tables[index];
    const QString path = table.path();
    if (path.isEmpty())
        return;
    const int row = item->row();
    const auto cell = [&](int column) {
        const QTableWidgetItem *at = table.table->item(row, column);
        return at ? at->text() : QString();
    };
    const auto mark = [&](const QString &error) {
        const QScopedValueRollback guard(m_refreshing, true);
        markCell(item, error);
        showMessage(error.isEmpty() ? QString()
                                    : tr("%1: %2", "a field's label: the problem with its value")
                                          .arg(table.label, error));
    };
    if (table.columns.isEmpty()) {
        const QString key = cell(0).trimmed();
        const QString oldKey = row < table.keys.size() ? table.keys[row] : QString();
        if (key != oldKey && table.keys.contains(key)) {
            mark(tr("Duplicate value: \"%1\"").arg(key));
            return;
        }
        mark({});
        apply([&](manifest::DocumentEdit &edit) -> std::expected<void, QString> {
            if (!key.isEmpty()) {
                if (auto done = edit.setValue(manifest::fieldPath(path, key), cell(1)); !done)
                    return done;
            }
            if (!oldKey.isEmpty() && key != oldKey)
                return edit.setValue(manifest::fieldPath(path, oldKey), QJsonValue::Undefined);
            return {};
        });
        return;
    }
    const Column &column = table.columns[item->column()];
    const auto written = fieldValue(column.type, item->text());
    if (!written) {
        mark(written.error());
        return;
    }
    mark({});
    apply([&](manifest::DocumentEdit &edit) {
        return edit.setValue(manifest::fieldPath(manifest::itemPath(path, row), column.key),
                             *written);
    });
}

void FormBinding::addRow(int index)
{
    Table &table = m_tables[index];
    const QString path = table.path();
    if (path.isEmpty())
        return;
    if (!table.columns.isEmpty()) {
        apply([&](manifest::DocumentEdit &edit) { return edit.appendItem(path, table.newItem); });
        return;
    }
    // A map's row goes into the YAML once its key is typed.
    const QScopedValueRollback guard(m_refreshing, true);
    const int row = table.table->rowCount();
    table.table->insertRow(row);
    table.table->setItem(row, 0, new QTableWidgetItem);
    table.table->setItem(row, 1, new QTableWidgetItem);
    table.table->setCurrentCell(row, 0);
    table.table->editItem(table.table->item(row, 0));
}

void FormBinding::removeRow(int index)
{
    Table &table = m_tables[index];
    const QString path = table.path();
    const int row = table.table->currentRow();
    if (path.isEmpty() || row < 0)
        return;
    if (!table.columns.isEmpty()) {
        apply([&](manifest::DocumentEdit &edit) { return edit.removeItem(path, row); });
    } else if (row < table.keys.size()) {
        const QString key = table.keys[row];
        apply([&](manifest::DocumentEdit &edit) {
            return edit.setValue(manifest::fieldPath(path, key), QJsonValue::Undefined);
        });
    } else {
        const QScopedValueRollback guard(m_refreshing, true);
        table.table->removeRow(row);
    }
}

} // namespace timonel::gui::form
