"""Judge prompt templates.

The three EMER templates are the EMER paper's Figures 2, 3 and 4, verbatim (including
the paper's own inconsistencies such as "Predictive"/"Prediction Description" and the
spaces before closing quotes). The description→labels and EIBench templates are
emoreason's own; they ask for JSON so that a reply either parses or fails visibly.
Every template is identified in results by the SHA-256 of its text.
"""

from __future__ import annotations

import hashlib

EMER_EMOTION_SUMMARY = (
    "Please summarize the most likely emotional state of the characters in the video based on the "
    "following description, and only output emotional words:\n\n"
    "Description: Although he looks happy, he is actually very anxious.\n\n"
    "Output: anxiety\n\n"
    "Description: {reason}\n\n"
    "Output:"
)

EMER_CLUE_OVERLAP = (
    '"True Description" and "Predicted Description" are given below. Please follow the steps below to '
    'calculate a score (on a scale of 1-10) for "Predicted Description". Finally, not only the numerical '
    "value of the predicted score but also the reason should be given.\n\n"
    '1. Please summarize the description of the emotional state of the character in "True Description"\n'
    '2. Please summarize the description of the emotional state of the character in "Predictive Description"\n'
    '3. Calculate the degree of overlap between "Predicted Description" and "True Description". The higher '
    "the degree of overlap, the higher the score returned.\n"
    "4. The output format is: 'prediction score': prediction score; 'reason': reason\n\n"
    "Input:\n\n"
    '"True Description": {gt_reason}\n'
    '"Prediction Description": {pred_reason}\n\n'
    "Output:"
)

EMER_LABEL_OVERLAP = (
    '"True Emotion" and "Predicted Emotion" are given below. Please calculate the degree of overlap between '
    '"Predicted Emotion " and "True Emotion ". The higher the degree of overlap, the higher the score '
    "returned. Scores range from 1-10. Finally, not only the numerical value of the predicted score but also "
    "the reason should be given.\n\n"
    "Input:\n\n"
    '"True Emotion ": {gt_emotion}\n'
    '"Prediction Emotion ": {pred_emotion}\n\n'
    "Output:"
)

DESCRIPTION_TO_LABELS = (
    "You are an expert in emotion analysis. Read the description of a person in a video below and list "
    "every emotional state the description attributes to that person, as single English emotion words "
    "(adjectives or nouns). Do not add emotions the description does not support. If it names none, "
    "return an empty list.\n\n"
    "Description: {description}\n\n"
    'Reply with JSON only: {{"labels": ["word", ...]}}'
)

EIBENCH_TRIGGER_RECALL = (
    "You are grading an answer about why a person in an image feels an emotion. The reference lists the "
    "true emotional triggers, numbered. Count how many of the reference triggers the answer mentions or "
    "clearly paraphrases. A trigger counts at most once.\n\n"
    "Question: {question}\n\n"
    "Reference triggers ({total} in total):\n{triggers}\n\n"
    "Answer to grade: {answer}\n\n"
    'Reply with JSON only: {{"correct": <number of reference triggers covered>, "total": {total}}}'
)


def prompt_hash(template: str) -> str:
    """Short SHA-256 of a template (recorded with every verdict)."""
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]
