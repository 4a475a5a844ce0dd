"""dockercoins' worker: mines coins forever. Each unit of work takes 32 random bytes from rng,
has hasher hash them, and counts the hash in Redis under `hashes`; a hash starting with "0" (one
in sixteen) is a coin, counted under `coins`. Every worker adds to the same counters, so the web
UI shows the rate of all of them together.

A service that is briefly away (a pod restarting, a Service without endpoints yet) costs a short
pause and a log line, never the worker: it is meant to run while the rest is scaled and rolled."""
import logging
import os
import signal
import sys
import time
import urllib.request

import redis

RNG_URL = os.environ.get("RNG_URL", "http://rng/32")
HASHER_URL = os.environ.get("HASHER_URL", "http://hasher/")
REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
TIMEOUT = 10  # seconds for one request: a hung service is then retried like an absent one
RETRY_PAUSE = 1  # seconds after a failure, so that an absent service is not hammered

log = logging.getLogger("worker")
counters = redis.Redis(host=REDIS_HOST, port=6379, socket_timeout=TIMEOUT)


def random_bytes():
    with urllib.request.urlopen(RNG_URL, timeout=TIMEOUT) as response:
        return response.read()


def hash_of(data):
    post = urllib.request.Request(
        HASHER_URL, data=data, headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(post, timeout=TIMEOUT) as response:
        return response.read().decode()


def work_once():
    digest = hash_of(random_bytes())
    if digest.startswith("0"):
        log.info("Coin found: %s...", digest[:8])
        counters.incr("coins")


def work_forever():
    # Hashes are added to Redis once a second rather than one by one, as a real miner would
    # report in batches; units done while Redis is away are kept and added when it is back.
    done = 0
    last_report = time.monotonic()
    while True:
        try:
            work_once()
            done += 1
        except (OSError, ValueError, redis.RedisError) as error:
            # OSError covers refused connections, unknown names and timeouts; urllib's HTTPError
            # (a 5xx from a pod shutting down) is one too.
            log.warning("Work failed, retrying in %s s: %s", RETRY_PAUSE, error)
            time.sleep(RETRY_PAUSE)
        if time.monotonic() - last_report >= 1:
            log.info("%d units of work done, updating hash counter", done)
            try:
                counters.incrby("hashes", done)
                done = 0
            except redis.RedisError as error:
                log.warning("Could not update the hash counter: %s", error)
            last_report = time.monotonic()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s")
    # As PID 1 in a container Python gets no default SIGTERM action: without a handler, stopping
    # the pod would wait out the whole grace period.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    work_forever()
