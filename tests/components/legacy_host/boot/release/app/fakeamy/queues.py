"""rqworker and rqscheduler, as django-rq's commands run them, from the rq package itself: only releases with RQ."""

import os

from redis import Redis
from rq import Worker
from rq.scheduler import RQScheduler

QUEUES = ("default", "testing")


def connection():
    """As AMY's settings make RQ's: the queue's database number appended to AMY_REDIS_URL."""
    return Redis.from_url(os.environ["AMY_REDIS_URL"] + "2")


def rqworker(args):
    Worker(list(QUEUES), connection=connection()).work(with_scheduler=False)
    return 0


def rqscheduler(args):
    """Moves scheduled jobs to their queues when due; stops, releasing its locks, on SIGTERM."""
    scheduler = RQScheduler(list(QUEUES), connection=connection(), interval=2)
    scheduler.acquire_locks()
    scheduler.work()
    return 0
