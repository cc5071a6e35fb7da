// Finding things in a Qt Quick scene by objectName, for the dashboard's
// offscreen tests.
#pragma once

#include <QList>
#include <QQuickItem>
#include <QString>

inline QQuickItem *findItem(QQuickItem *root, const QString &name)
{
    if (!root)
        return nullptr;
    if (root->objectName() == name)
        return root;
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children) {
        if (QQuickItem *found = findItem(child, name))
            return found;
    }
    return nullptr;
}

// The text of the first visible item called `name` under `root`.
inline QString findVisibleText(QQuickItem *root, const QString &name)
{
    if (!root || !root->isVisible())
        return {};
    if (root->objectName() == name)
        return root->property("text").toString();
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children) {
        const QString text = findVisibleText(child, name);
        if (!text.isEmpty())
            return text;
    }
    return {};
}

// Every Text item under `root` (QQuickText; a Label is one too).
inline void collectTexts(QQuickItem *root, QList<QQuickItem *> *out)
{
    if (!root)
        return;
    if (root->inherits("QQuickText"))
        out->append(root);
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children)
        collectTexts(child, out);
}
