// Walking the dashboard's item tree in Qt Quick tests: find items by
// objectName, read texts, and find text that does not fit (layoutProblems);
// and the warnings QML and JavaScript print while a test runs.
#pragma once

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QStringList>

namespace UiTest {

// What the message handler installed by collectMessages() saw: QML and JS
// warnings (binding and type errors), and the network requests the
// dashboard's engine refused (nuc.ui). Tests clear them in init().
inline QStringList &qmlWarnings()
{
    static QStringList list;
    return list;
}
inline QStringList &refusedRequests()
{
    static QStringList list;
    return list;
}

namespace detail {
inline QtMessageHandler &previousHandler()
{
    static QtMessageHandler handler = nullptr;
    return handler;
}
inline void collect(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && qstrcmp(context.category, "nuc.ui") == 0 && message.contains(u"refused a network request"))
        refusedRequests() << message;
    const bool fromQml = message.contains(u"qrc:/") || message.contains(u".qml")
        || (context.category && (qstrcmp(context.category, "qml") == 0 || qstrcmp(context.category, "js") == 0));
    if (type >= QtWarningMsg && fromQml)
        qmlWarnings() << message;
    previousHandler()(type, context, message);
}
} // namespace detail

// Installs the collector (once per test program, in initTestCase()).
inline void collectMessages()
{
    detail::previousHandler() = qInstallMessageHandler(detail::collect);
}

// Loads the dashboard as main() does (no network, `dashboard` and `kiosk`
// given); the window, or null if it did not load.
// The seconds a countdown text shows, and the fewest it may show when it
// counts down from `fullS`, `elapsedMs` (or less) after it began: a test
// reading it on a loaded machine may come a few seconds late, and a late
// tick skips a number, but the text never shows more than is left.
inline int shownSeconds(const QString &text)
{
    // "Try again in 29 s." / "Technician unlocked: 0:03"
    static const QRegularExpression seconds(QStringLiteral("in (\\d+) s\\.|(\\d+):(\\d\\d)$"));
    const QRegularExpressionMatch m = seconds.match(text);
    if (!m.hasMatch())
        return -1;
    return m.captured(1).isEmpty() ? m.captured(2).toInt() * 60 + m.captured(3).toInt() : m.captured(1).toInt();
}
inline int fewestSecondsLeft(int fullS, qint64 elapsedMs)
{
    return fullS - int(elapsedMs / 1000);   // ceil(fullS - elapsed), whole seconds
}

inline QQuickWindow *loadDashboard(QQmlApplicationEngine &engine, QObject *dashboard, bool kiosk,
                                   QQmlNetworkAccessManagerFactory *network)
{
    engine.setNetworkAccessManagerFactory(network);
    engine.setInitialProperties({{QStringLiteral("dashboard"), QVariant::fromValue(dashboard)},
                                 {QStringLiteral("kiosk"), kiosk}});
    engine.load(QUrl(QStringLiteral("qrc:/ControlNuc/Main.qml")));
    return engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
}

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

namespace detail {

inline QString describe(QQuickItem *item)
{
    QString what = QString::fromLatin1(item->metaObject()->className());
    if (!item->objectName().isEmpty())
        what += QLatin1Char(' ') + item->objectName();
    const QString text = item->property("text").toString();
    if (!text.isEmpty())
        what += QStringLiteral(" \"%1\"").arg(text.left(60));
    return what;
}

inline bool inside(const QRectF &inner, const QRectF &outer, bool vertical)
{
    constexpr qreal slack = 1.0;
    if (inner.left() < outer.left() - slack || inner.right() > outer.right() + slack)
        return false;
    return !vertical || (inner.top() >= outer.top() - slack && inner.bottom() <= outer.bottom() + slack);
}

// `scroller`: the nearest Flickable above (its content may lie outside it
// vertically: that is scrolling, not clipping). `clipper`: the nearest item
// that clips, in scene coordinates.
inline void walk(QQuickItem *item, const QRectF &window, QQuickItem *scroller, QRectF clipper, QStringList *problems)
{
    if (!item->isVisible() || item->opacity() <= 0.01)
        return;
    const QRectF scene = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    const bool isText = item->inherits("QQuickText") && !item->property("text").toString().isEmpty();
    const bool isButton = item->inherits("QQuickAbstractButton");
    const bool isPopup = item->inherits("QQuickPopupItem");   // a dialog's frame
    // Qt keeps a popup inside the window by cutting its height: then its
    // content needs more than it has.
    if (isPopup && (!inside(scene, window, true) || item->implicitHeight() > item->height() + 1)) {
        problems->append(QStringLiteral("%1: popup needs %2 px high, has %3 (%4,%5 %6×%7)").arg(describe(item))
                             .arg(item->implicitHeight()).arg(item->height())
                             .arg(scene.x()).arg(scene.y()).arg(scene.width()).arg(scene.height()));
    }
    if (isText || isButton) {
        const QString what = describe(item);
        if (isText) {
            const bool elides = item->property("elide").toInt() != Qt::ElideNone;
            const bool wraps = item->property("wrapMode").toInt() != 0;
            const qreal width = item->width();
            if (!elides && !wraps && item->implicitWidth() > width + 1)
                problems->append(QStringLiteral("%1: needs %2 px, has %3").arg(what).arg(item->implicitWidth()).arg(width));
            else if (!elides && item->property("contentWidth").toReal() > width + 1)
                problems->append(QStringLiteral("%1: content %2 px wide in %3").arg(what)
                                     .arg(item->property("contentWidth").toReal()).arg(width));
            if (!elides && item->property("contentHeight").toReal() > item->height() + 1)
                problems->append(QStringLiteral("%1: content %2 px high in %3").arg(what)
                                     .arg(item->property("contentHeight").toReal()).arg(item->height()));
        }
        QQuickItem *parent = item->parentItem();
        // A button's label is its own business; the label must fit the button.
        // (A Flickable's content item is sized by its own rules: the view's
        // bounds are checked below instead.)
        const bool inFlickable = parent && (parent->inherits("QQuickFlickable")
                                            || (parent->parentItem() && parent->parentItem()->inherits("QQuickFlickable")));
        if (parent && parent->width() > 0 && parent->height() > 0 && !inFlickable) {
            const QRectF parentScene = parent->mapRectToScene(QRectF(0, 0, parent->width(), parent->height()));
            if (!inside(scene, parentScene, true))
                problems->append(QStringLiteral("%1: outside its parent %2").arg(what, describe(parent)));
        }
        if (!inside(scene, window, !scroller)) {
            problems->append(QStringLiteral("%1: outside the window (%2,%3 %4×%5)").arg(what)
                                 .arg(scene.x()).arg(scene.y()).arg(scene.width()).arg(scene.height()));
        }
        if (!clipper.isNull() && !scroller && !inside(scene, clipper, true))
            problems->append(QStringLiteral("%1: clipped").arg(what));
    }
    if (item->inherits("QQuickFlickable")) {
        scroller = item;
        clipper = QRectF();
    } else if (item->clip()) {
        clipper = scene;
    }
    const QList<QQuickItem *> children = item->childItems();
    for (QQuickItem *child : children)
        walk(child, window, scroller, clipper, problems);
}

} // namespace detail

// Text that does not fit where it is shown: a Text that neither elides nor
// wraps but is wider than its item, any Text whose content is larger than
// its item, and texts and buttons that lie outside their parent, outside
// the window (horizontally only inside a scrolling view) or outside an item
// that clips them, and dialogs (popups) not wholly inside the window. Each problem is a line naming the item.
inline QStringList layoutProblems(QQuickWindow *window)
{
    QStringList problems;
    detail::walk(window->contentItem(), QRectF(0, 0, window->width(), window->height()), nullptr, QRectF(), &problems);
    problems.removeDuplicates();
    return problems;
}

} // namespace UiTest
