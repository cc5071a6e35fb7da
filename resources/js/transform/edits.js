// The edit buffer: passes never change the source, they record edits
// (insert, replace) against its original offsets; apply() splices them in
// one go. Every original line stays on its line: inserted text never
// contains a newline, replaced text keeps its newlines.
//
// What nests inside what. Several passes may put text at one position; the
// rank of an insert decides the order there (higher: further left).
//
//   Text at a node's edges: before(node, text, layer) and after(...).
//     An outer node's text stays outside an inner node's (ranks step by
//     10 per level of depth). At one node, the layer decides, larger
//     further out:
//       Layer.PRIVATE_SCOPE 9 the #private names of a class (a `let`
//                            before it, an arrow around a class expression)
//       Layer.TAIL_STORE  6  __nucKeep(…) keeping a returned store (defect 1)
//       Layer.REWRITE     1  the node's own rewrite: Object.assign(…), a
//                            logical assignment's __nucKeep(…)
//       Layer.NODE        0  text ending the node's rewrite: await's `)`,
//                            an arrow's new tail, a class field's `); }`
//       Layer.INNER      -5  inside all of the above but outside the
//                            children: __nucBind(function (, __nucPush(…)
//
//   Text at fixed places, which are not a node's edge:
//     after a function body's `{`   SUPER_ACCESSOR, then
//                                   PARAM_LETS, then FIELDS_AT_START (a
//                                   constructor), then the statements' text
//     after a call's `(`            CALL_THIS, before the arguments
//     after `super(…);`             FIELDS_AFTER_SUPER, after the
//                                   statement's own closing text
//     after a class body's `{`      MADE_UP_CONSTRUCTOR, before the members
//     after a class declaration     STATIC_INITS, after the class's own
//                                   text, before the enclosing body's end
var NucEdits = (function () {
    var Layer = { PRIVATE_SCOPE: 9, TAIL_STORE: 6, REWRITE: 1, NODE: 0, INNER: -5 };
    var BODY = 100000;   // beyond any depth rank (depth * 10)
    // The small ones sit among the depth ranks: after the closing and
    // before the opening text of nodes at depth 2 and more (ranks 11 and
    // up, -11 and down); what they are placed after is deeper than that.
    var Rank = {
        SUPER_ACCESSOR: BODY + 30, PARAM_LETS: BODY + 10, CALL_THIS: BODY,
        FIELDS_AFTER_SUPER: 15, MADE_UP_CONSTRUCTOR: 15, FIELDS_AT_START: 5,
        STATIC_INITS: -10
    };

    function depth(node) {
        var d = 0;
        for (var p = node.__parent; p; p = p.__parent)
            d++;
        return d;
    }

    function EditBuffer(source) {
        this.source = source;
        this.edits = [];
        // The edits again, by 64 characters of where they start (a dense
        // array of nulls: QJSEngine 6.4 writes a sparse one slowly):
        // hasEditsInside looks at the node's blocks only (looking at every
        // edit made so far was quadratic), and apply() sorts block by
        // block, which takes a fraction of the comparator calls of one
        // sort of all (those calls were most of its time).
        this.blocks = [];
        for (var b = source.length >> 6; b >= 0; b--)
            this.blocks.push(null);
        // Set when an edit starts or ends outside the source (no pass makes
        // one): then the blocks are not used.
        this.outside = false;
    }
    EditBuffer.prototype.add = function (start, end, str, rank) {
        var edit = { start: start, end: end, text: str, priority: rank, seq: this.edits.length };
        this.edits.push(edit);
        if (!(start >= 0 && end >= start && end <= this.source.length)) {
            this.outside = true;
            return;
        }
        var block = this.blocks[start >> 6];
        if (block === null)
            this.blocks[start >> 6] = [edit];
        else
            block.push(edit);
    };

    EditBuffer.prototype.text = function (node) {
        return this.source.slice(node.start, node.end);
    };
    EditBuffer.prototype.insert = function (pos, str, rank) {
        this.add(pos, pos, str, rank || 0);
    };
    EditBuffer.prototype.replace = function (start, end, str) {
        // Keep the newlines of what is replaced (lines must not move).
        var replaced = this.source.slice(start, end);
        var newlines = replaced.indexOf('\n') < 0 ? '' : replaced.replace(/[^\n]/g, '');
        this.add(start, end, str + newlines, 0);
    };
    EditBuffer.prototype.blank = function (start, end) {
        this.replace(start, end, '');
    };
    // Ranks of text before and after `node` at `layer` (see the table above).
    EditBuffer.prototype.opening = function (node, layer) {
        return -depth(node) * 10 + layer;
    };
    EditBuffer.prototype.closing = function (node, layer) {
        return depth(node) * 10 - layer;
    };
    EditBuffer.prototype.before = function (node, str, layer) {
        this.insert(node.start, str, this.opening(node, layer));
    };
    EditBuffer.prototype.after = function (node, str, layer) {
        this.insert(node.end, str, this.closing(node, layer));
    };
    EditBuffer.prototype.hasEditsInside = function (node) {
        var i;
        if (this.outside) {
            for (i = 0; i < this.edits.length; i++) {
                if (this.edits[i].start >= node.start && this.edits[i].end <= node.end)
                    return true;
            }
            return false;
        }
        // An edit inside starts in one of the node's blocks.
        for (var b = node.start >> 6; b <= node.end >> 6; b++) {
            var block = this.blocks[b];
            for (i = 0; block && i < block.length; i++) {
                if (block[i].start >= node.start && block[i].end <= node.end)
                    return true;
            }
        }
        return false;
    };

    // The first position at or after `pos` that is not space or a comment.
    EditBuffer.prototype.nextToken = function (pos) {
        var source = this.source;
        var i = pos;
        for (;;) {
            while (i < source.length && /\s/.test(source.charAt(i)))
                i++;
            if (source.substr(i, 2) === '//') {
                i = source.indexOf('\n', i);
                if (i < 0)
                    return source.length;
            } else if (source.substr(i, 2) === '/*') {
                i = source.indexOf('*/', i) + 2;
            } else {
                return i;
            }
        }
    };
    var SLASH = 47;   // '/'
    var STAR = 42;    // '*'
    // Position of `token` at or after `from` (before `limit`), skipping
    // comments; -1 if there is none. Most calls find the token within a
    // character or two: startsWith and character codes, no substring a
    // character (a fourth of the time in QJSEngine 6.4).
    EditBuffer.prototype.findToken = function (from, token, limit) {
        var source = this.source;
        var i = from;
        var end = limit === undefined ? source.length : limit;
        while (i < end) {
            if (source.startsWith(token, i))
                return i;
            if (source.charCodeAt(i) === SLASH) {
                var next = source.charCodeAt(i + 1);
                if (next === SLASH) {
                    i = source.indexOf('\n', i);
                    if (i < 0)
                        return -1;
                    continue;
                }
                if (next === STAR) {
                    i = source.indexOf('*/', i) + 2;
                    if (i < 2)
                        return -1;
                    continue;
                }
            }
            i++;
        }
        return -1;
    };
    // A node's text on one line, for copying into inserted text.
    EditBuffer.prototype.oneLine = function (node, what) {
        var t = this.text(node);
        if (t.indexOf('//') >= 0 || t.indexOf('/*') >= 0)
            throw new NucAst.Refusal(what + ' with a comment inside', node);
        return t.indexOf('\n') < 0 ? t : t.replace(/\s*\n\s*/g, ' ');
    };

    // The order edits are applied in: left to right; at one position,
    // inserts before replacements and higher ranks first, then in the order
    // they were made.
    function order(a, b) {
        if (a.start !== b.start)
            return a.start - b.start;
        if (a.end !== b.end)
            return a.end - b.end;
        if (a.priority !== b.priority)
            return b.priority - a.priority;
        return a.seq - b.seq;
    }
    // The edits in that order: the blocks hold them by where they start,
    // so sorting each and joining them sorts all.
    EditBuffer.prototype.sorted = function () {
        if (this.outside)
            return this.edits.slice().sort(order);
        var all = [];
        for (var b = 0; b < this.blocks.length; b++) {
            var block = this.blocks[b];
            if (block === null)
                continue;
            if (block.length > 1)
                block = block.slice().sort(order);
            for (var i = 0; i < block.length; i++)
                all.push(block[i]);
        }
        return all;
    };

    // The edited source: { ok: true, code } or, when two edits overlap,
    // a refusal at the second one.
    EditBuffer.prototype.apply = function () {
        var source = this.source;
        var edits = this.sorted();
        var parts = [];
        var pos = 0;
        for (var k = 0; k < edits.length; k++) {
            var edit = edits[k];
            if (edit.start < pos) {
                var where = acorn.getLineInfo(source, edit.start);
                return { ok: false, kind: 'unsupported',
                         message: 'this combination of constructs in one expression (please split it)',
                         line: where.line, column: where.column + 1 };
            }
            parts.push(source.slice(pos, edit.start), edit.text);
            pos = edit.end;
        }
        parts.push(source.slice(pos));
        return { ok: true, code: parts.join('') };
    };

    return { EditBuffer: EditBuffer, Layer: Layer, Rank: Rank };
})();
