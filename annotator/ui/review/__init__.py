"""Review ▸ menu: compare colleagues' project files, agreement figures, adjudication, merge."""

from annotator.ui.review.controller import ReviewController
from annotator.ui.review.host import ReviewHost

__all__ = ["ReviewController", "ReviewHost"]
