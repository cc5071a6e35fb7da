// Validation of a driver's runnable (already down-levelled) code at sync
// time. The pipeline is handed one in its constructor and knows only this
// interface; DriverTransformer, which refuses bad syntax first, is separate.
#pragma once

#include "runtime/drivermodule.h"
#include "runtime/drivertransformer.h"

#include <QString>

#include <utility>

struct DriverValidationRequest
{
    QString code;
    QString driverType;
    QString protocolType;
    QString fileName;      // shown in stacks
};

class DriverValidator
{
public:
    virtual ~DriverValidator() = default;
    // Returns a null ScriptError when the driver is acceptable. Runs on the
    // caller's thread (the sync worker), never on the GUI thread.
    virtual ScriptError validate(const DriverValidationRequest &request) = 0;
    // validate() in two halves, so that the caller can work while the
    // validation runs elsewhere: begin() starts it, verdict() returns what
    // validate() would have. One at a time; every begin() is collected by
    // verdict() or abandon(). Other calls
    // (transform()) may come between. This default validates in verdict().
    virtual void begin(const DriverValidationRequest &request) { m_begun = request; }
    virtual ScriptError verdict() { return validate(std::exchange(m_begun, {})); }
    // Collects a begun validation whose result no longer matters (the sync
    // turned out answered before, say) without waiting for it: its answer
    // is dropped when it comes. This default forgets the request.
    virtual void abandon() { m_begun = {}; }
    // Whether a validation let go is still being worked out elsewhere (the
    // next begin() would wait behind it).
    virtual bool busyWithAbandoned() const { return false; }
    // Whether begin() starts the validation elsewhere, so that
    // verdictWithin() can tell ahead. This default validates in verdict().
    virtual bool validatesElsewhere() const { return false; }
    // Waits at most `waitMs` for the begun validation; true when verdict()
    // then returns at once with the validation's own answer (false too when
    // it would only say why there is none, such as a host that died).
    virtual bool verdictWithin(int waitMs)
    {
        Q_UNUSED(waitMs);
        return false;
    }
    // Down-levels modern source for QJSEngine 6.4 (DriverTransformer): the
    // other half of the "validating" step, behind the same seam so that it
    // runs where validation runs (the validator host).
    // TransformMode::Skip leaves a source that needs no rewrite unparsed.
    virtual TransformResult transform(const QString &source, TransformMode mode) = 0;
    // For a source whose transform left it as it was (`runnable` ==
    // `source`: perhaps skipped, never parsed by acorn) and which then failed
    // validation: the transformer's own refusal, so that a syntax error reads
    // as the transformer words it; a null error when acorn accepts it too.
    ScriptError refusalOfUnchanged(const QString &source, const QString &runnable)
    {
        if (runnable != source)
            return {};
        const TransformResult full = transform(source, TransformMode::Full);
        return full.ok ? ScriptError{} : full.error;
    }
    // Optional warm-up between syncs (e.g. create the next throw-away engine),
    // called on the validating thread when it is idle.
    virtual void prepare() {}

private:
    DriverValidationRequest m_begun;
};
