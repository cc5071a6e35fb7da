// One controller process per root: a QLockFile in <root>/var, taken before
// anything else touches the root (database, drivers, run state). A lock left
// by a process that is gone (killed, crashed) is taken over; one held by a
// running process refuses with a line naming the root and its pid.
#pragma once

#include <QLockFile>
#include <QString>

#include <memory>

class StorageLayout;

class RootLock
{
public:
    RootLock();
    ~RootLock();

    // Returns empty once held, else one line saying who holds the root.
    QString acquire(const StorageLayout &layout);
    bool isHeld() const { return m_lock && m_lock->isLocked(); }

    static QString fileName() { return QStringLiteral("control-nuc.lock"); }

private:
    std::unique_ptr<QLockFile> m_lock;
};
