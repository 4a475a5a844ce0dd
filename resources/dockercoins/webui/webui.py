"""dockercoins' web UI: GET / is a page charting the hashes per second of all the workers together;
GET /json is what the page polls every second: {"hashes": N, "coins": M, "now": unix time}. The
rate is worked out in the browser from two readings, so this server keeps no state of its own and
any number of replicas answer alike."""
import logging
import os
import signal
import sys
import time

import redis
from flask import Flask, jsonify, send_from_directory

REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
PORT = int(os.environ.get("PORT", "80"))
HERE = os.path.dirname(os.path.abspath(__file__))

app = Flask(__name__)
counters = redis.Redis(host=REDIS_HOST, port=6379, socket_timeout=5)


@app.route("/")
def index():
    return send_from_directory(HERE, "index.html")


@app.route("/json")
def status():
    # One round trip for both counters; a counter no worker has written yet is 0.
    hashes, coins = counters.mget("hashes", "coins")
    return jsonify(hashes=int(hashes or 0), coins=int(coins or 0), now=time.time())


@app.errorhandler(redis.RedisError)
def redis_unavailable(error):
    # The page keeps polling and shows the error until Redis is back.
    return jsonify(error="Redis is unavailable: {}".format(error)), 503


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    # As PID 1 in a container Python gets no default SIGTERM action: without a handler, stopping
    # the pod would wait out the whole grace period.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app.run(host="0.0.0.0", port=PORT, threaded=True)
