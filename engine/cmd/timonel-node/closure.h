#pragma once

#include <QList>
#include <QString>

namespace timonel::node {

struct LoadedObject
{
    QString loadedAs; // the path the dynamic loader used (often a soname symlink)
    QString file;     // the file it resolves to
};

// Every shared object this process has loaded, after loading the Qt plugins a node needs
// (the TLS backend and the SQLite driver), plus the program and its ELF interpreter.
// This is exactly what a node image must carry: Qt loads those plugins with dlopen, so the
// ldd closure of the binary alone would miss them and their libraries.
QList<LoadedObject> loadedClosure();

} // namespace timonel::node
