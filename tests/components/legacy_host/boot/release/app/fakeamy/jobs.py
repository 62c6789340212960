"""Jobs the boot test queues for the RQ worker."""

from fakeamy.release import VERSION


def answer(question):
    return f"{VERSION} answers {question}"
