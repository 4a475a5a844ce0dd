#pragma once

#include <QMainWindow>

class QTreeWidget;

namespace timonel::gui {

// The desktop app's main window. For now: the Timonel clusters on this machine and their nodes.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    void refresh();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QTreeWidget *m_clusters = nullptr;
};

} // namespace timonel::gui
