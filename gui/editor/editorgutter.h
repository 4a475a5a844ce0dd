// Left of the editor's text: problem markers, line numbers and fold markers (▸ folded,
// ▾ open). Clicking a fold marker toggles the fold; hovering a problem marker shows its
// messages.
#pragma once

#include <QColor>
#include <QTextBlock>
#include <QWidget>

namespace timonel::gui {

class YamlEditor;

class EditorGutter : public QWidget
{
public:
    explicit EditorGutter(YamlEditor *editor);
    QSize sizeHint() const override;

    // From the editor's theme.
    QColor background, numberColor, currentNumberColor;

    int markerWidth() const { return fontMetrics().height() / 2 + 4; }
    int foldWidth() const { return fontMetrics().height(); }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QTextBlock blockAt(int y) const;

    YamlEditor *m_editor;
};

} // namespace timonel::gui
