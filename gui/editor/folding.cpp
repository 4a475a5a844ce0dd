#include "editor/folding.h"

#include "editor/yamllines.h"

#include <QTextDocument>

#include <algorithm>

namespace timonel::gui::folding {

using namespace yamllines;

namespace {

QTextBlock nextSignificant(QTextBlock block)
{
    block = block.next();
    while (block.isValid() && isInsignificant(block.text()) && !isDocumentStart(block.text()))
        block = block.next();
    return block;
}

// A "key:" whose value is a sequence at the key's own indentation, as kubectl writes them.
bool opensSameIndentSequence(const QString &header, const QString &child, int indent)
{
    return indentOf(child) == indent && codeOf(header).endsWith(u':') &&
           isSequenceItem(child, indent);
}

Changed blocks(const QTextBlock &from, const QTextBlock &to)
{
    return {from.position(), to.position() + to.length()};
}

} // namespace

bool isHeader(const QTextBlock &header)
{
    const QString text = header.text();
    const QTextBlock next = nextSignificant(header);
    if (!next.isValid() || isDocumentStart(next.text()))
        return false;
    if (isDocumentStart(text))
        return true;
    if (isInsignificant(text) || isDocumentEnd(text) || isDocumentEnd(next.text()))
        return false;
    const int indent = indentOf(text);
    return indentOf(next.text()) > indent || opensSameIndentSequence(text, next.text(), indent);
}

QTextBlock endOf(const QTextBlock &header)
{
    if (!isHeader(header))
        return header;
    const QString text = header.text();
    QTextBlock last = header;
    if (isDocumentStart(text)) {
        for (QTextBlock b = header.next(); b.isValid() && !isDocumentStart(b.text());
             b = b.next()) {
            if (!b.text().trimmed().isEmpty())
                last = b;
            if (isDocumentEnd(b.text()))
                break;
        }
        return last;
    }
    const int indent = indentOf(text);
    const bool sequence = opensSameIndentSequence(text, nextSignificant(header).text(), indent);
    for (QTextBlock b = nextSignificant(header); b.isValid(); b = nextSignificant(b)) {
        const QString t = b.text();
        const int i = indentOf(t);
        if (isDocumentStart(t) || isDocumentEnd(t) || i < indent ||
            (i == indent && !(sequence && isSequenceItem(t, i))))
            break;
        last = b;
    }
    return last;
}

bool isFolded(const QTextBlock &header)
{
    return isHeader(header) && !header.next().isVisible();
}

Changed setFolded(const QTextBlock &header, bool folded)
{
    const QTextBlock end = endOf(header);
    if (end == header)
        return {};
    // Unfolding shows everything inside, nested folds included.
    for (QTextBlock b = header.next(); b.isValid(); b = b.next()) {
        b.setVisible(!folded);
        if (b == end)
            break;
    }
    return blocks(header, end);
}

Changed foldAll(QTextDocument *document)
{
    for (QTextBlock b = document->firstBlock(); b.isValid(); b = b.next()) {
        if (!b.isVisible() || !isHeader(b))
            continue;
        const QTextBlock end = endOf(b);
        for (QTextBlock h = b.next(); h.isValid(); h = h.next()) {
            h.setVisible(false);
            if (h == end)
                break;
        }
        b = end;
    }
    return blocks(document->firstBlock(), document->lastBlock());
}

Changed unfoldAll(QTextDocument *document)
{
    for (QTextBlock b = document->firstBlock(); b.isValid(); b = b.next())
        b.setVisible(true);
    return blocks(document->firstBlock(), document->lastBlock());
}

Changed reveal(const QTextBlock &block)
{
    if (!block.isValid() || block.isVisible())
        return {};
    QTextBlock b = block;
    while (b.isValid() && !b.isVisible())
        b = b.previous();
    const QTextBlock header = b;
    QTextBlock last = b;
    for (b = b.next(); b.isValid() && !b.isVisible(); b = b.next())
        b.setVisible(true), last = b;
    return blocks(header, last);
}

Changed repair(QTextDocument *document, int position, int added)
{
    QTextBlock b = document->findBlock(position);
    if (b.previous().isValid())
        b = b.previous();
    const QTextBlock last = document->findBlock(position + added).next();
    Changed changed;
    for (; b.isValid(); b = b.next()) {
        QTextBlock run;
        if (!b.isVisible()) {
            run = b;
            while (run.previous().isValid() && !run.previous().isVisible())
                run = run.previous();
        } else if (b.next().isValid() && !b.next().isVisible() && !isHeader(b)) {
            run = b.next();
        }
        if (run.isValid()) {
            changed.from =
                changed.from < 0 ? run.position() : std::min(changed.from, run.position());
            for (; run.isValid() && !run.isVisible(); run = run.next()) {
                run.setVisible(true);
                changed.to = run.position() + run.length();
            }
        }
        if (b == last)
            break;
    }
    return changed;
}

} // namespace timonel::gui::folding
