// A Service's type, the selector choosing its pods, and its ports.
#pragma once

#include <QGroupBox>

namespace timonel::gui::form {

class FormBinding;

class ServiceSection : public QGroupBox
{
    Q_OBJECT
public:
    explicit ServiceSection(FormBinding *binding, QWidget *parent = nullptr);
};

} // namespace timonel::gui::form
