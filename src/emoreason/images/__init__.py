"""Still images: every person's emotions and their explicit and implicit triggers (EIBench).

:func:`interpret` is the one-call API; ``emoreason interpret IMAGE`` its command. Offline it
reads faces, body pose and hands, people layout, image statistics and text in the image; with
an OpenAI-compatible vision endpoint it also asks the model (directly or through EIBench's
coarse-to-fine self-ask loop) and checks the answer against the measured evidence.
"""

from emoreason.images.interpret import interpret
from emoreason.images.records import InterpretResult, PersonReading, Trigger, TriggerKind

__all__ = ["InterpretResult", "PersonReading", "Trigger", "TriggerKind", "interpret"]
