// The editor's typing aids on whole lines: Enter keeping YAML's indentation, indenting and
// unindenting the selected lines, and commenting them out and back in. Each one is one undo
// step.
#pragma once

class QPlainTextEdit;

namespace timonel::gui::linecommands {

// YAML is indented by two spaces here, and Tab types them.
constexpr int indentWidth = 2;

// Enter: the new line gets the indentation of the one above, deeper after "key:" and inside a
// "- " item. Inside the indentation the line moves down whole.
void insertNewline(QPlainTextEdit *editor);
void indentSelection(QPlainTextEdit *editor);
void unindentSelection(QPlainTextEdit *editor);
// Comments the selected lines out, at their shallowest indentation, or back in when all of
// them are comments.
void toggleComment(QPlainTextEdit *editor);

} // namespace timonel::gui::linecommands
