"""Highlighting a long article only where it is seen.

A :class:`~PySide6.QtGui.QSyntaxHighlighter` formats every paragraph of a document as soon as
the text is set: for a 10 MB article that is tens of thousands of paragraphs, each given a
layout and formats before anything can be shown, most of them never looked at. A
:class:`PlainTextEdit` lays out only the paragraphs it shows; :class:`VisibleHighlighting` makes
the highlighter do the same for long texts. The text is set with the highlighter unhooked from
the document's changes, and each paragraph is highlighted just before it is first painted (and
again, when a change of labels, colours or layers calls for it, just before it is next
painted). Short texts, and a Qt that does not let the highlighter be unhooked, keep the
highlighter's own pass over the whole text.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import SIGNAL, SLOT, QEvent, QObject
from PySide6.QtGui import QSyntaxHighlighter
from PySide6.QtWidgets import QPlainTextEdit

# Texts shorter than this are highlighted whole when set (a few milliseconds at most).
LAZY_FROM_CHARS = 200_000

_CHANGES = SIGNAL("contentsChange(int,int,int)")
_REFORMAT = SLOT("_q_reformatBlocks(int,int,int)")  # QSyntaxHighlighter's private slot


class VisibleHighlighting(QObject):
    """Sets a view's text and highlights, for long texts, only the paragraphs painted."""

    def __init__(
        self,
        view: QPlainTextEdit,
        highlighter: QSyntaxHighlighter,
        *,
        lazy_from: int | None = None,  # None: LAZY_FROM_CHARS
    ) -> None:
        super().__init__(view)
        self._view = view
        self._highlighter = highlighter
        self._lazy_from = lazy_from
        self._active = False
        self._done: set[int] = set()  # block numbers highlighted since the text or look changed
        view.viewport().installEventFilter(self)

    @property
    def active(self) -> bool:
        """Whether the text on display is highlighted paragraph by paragraph as it is seen."""
        return self._active

    @property
    def highlighted(self) -> frozenset[int]:
        """The block numbers highlighted so far (for a text highlighted whole: none listed)."""
        return frozenset(self._done)

    def set_plain_text(self, text: str) -> None:
        """``view.setPlainText(text)``, highlighting a long text only where it is seen."""
        view, highlighter = self._view, self._highlighter
        self._done.clear()
        self._active = False
        document = view.document()
        lazy_from = LAZY_FROM_CHARS if self._lazy_from is None else self._lazy_from
        if len(text) >= lazy_from:
            # The old text goes while the highlighter still listens (one empty block to format).
            document.clear()
            self._active = bool(QObject.disconnect(document, _CHANGES, highlighter, _REFORMAT))
        if not self._active:
            view.setPlainText(text)  # the highlighter formats every block during this call
            return
        try:
            view.setPlainText(text)
        finally:
            QObject.connect(document, _CHANGES, highlighter, _REFORMAT)
        view.viewport().update()

    def rehighlight(self) -> None:
        """Highlight everything again (new labels, colours or layers): for a long text, what is
        on screen now and the rest when it is next painted."""
        if not self._active:
            self._highlighter.rehighlight()
            return
        self._done.clear()
        self.highlight_visible()

    def rehighlight_blocks(self, numbers: Iterable[int]) -> None:
        """Highlight these blocks again: at once for a short text; for a long one, those on
        screen now and the others when they are next painted."""
        document = self._view.document()
        if not self._active:
            for number in numbers:
                self._highlighter.rehighlightBlock(document.findBlockByNumber(number))
            return
        self._done.difference_update(numbers)
        self.highlight_visible()

    def highlight_visible(self) -> None:
        """Highlight the paragraphs on screen that are not highlighted yet."""
        if not self._active:
            return
        view, highlighter, done = self._view, self._highlighter, self._done
        bottom = view.viewport().rect().bottom()
        offset = view.contentOffset()
        # Highlighting can change a paragraph's height (a taller font), so look again until the
        # paragraphs on screen are all done.
        for _ in range(8):
            fresh = False
            block = view.firstVisibleBlock()
            while block.isValid():
                top = view.blockBoundingGeometry(block).translated(offset).top()
                if top > bottom:
                    break
                number = block.blockNumber()
                if number not in done:
                    done.add(number)
                    highlighter.rehighlightBlock(block)
                    fresh = True
                block = block.next()
            if not fresh:
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self._active and event.type() == QEvent.Type.Paint:
            self.highlight_visible()
        return False
