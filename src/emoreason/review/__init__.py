"""The human review page of a dataset: EMER plausibility ratings, pairwise preferences, edits, agreement.

``emoreason review DATASET --tokens FILE`` serves :func:`emoreason.review.app.create_app` with uvicorn.
"""

from __future__ import annotations
