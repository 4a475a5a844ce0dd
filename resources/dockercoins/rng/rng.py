"""dockercoins' rng: hands out random bytes. GET /<n> answers n bytes from the kernel's random
source; GET / says which pod answered, which shows a Service spreading requests over its replicas.

Generating entropy is made deliberately slow (RNG_DELAY seconds a request, one request at a time)
so that, as workers are added, rng becomes the bottleneck the sample is about: scale it out and
the hash rate on the web UI goes up again."""
import logging
import os
import signal
import socket
import sys
import time

from flask import Flask, Response, abort

MAX_BYTES = 1024 * 1024  # a bound on one answer, so one request cannot exhaust the pod's memory
DELAY = float(os.environ.get("RNG_DELAY", "0.1"))
PORT = int(os.environ.get("PORT", "80"))

app = Flask(__name__)


@app.route("/")
def index():
    return "RNG running on {}\n".format(socket.gethostname())


@app.route("/<int:count>")
def rng(count):
    if count > MAX_BYTES:
        abort(400, "at most {} bytes a request".format(MAX_BYTES))
    time.sleep(DELAY)
    return Response(os.urandom(count), content_type="application/octet-stream")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    # As PID 1 in a container Python gets no default SIGTERM action: without a handler, stopping
    # the pod would wait out the whole grace period.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # threaded=False: one request at a time is what makes rng the bottleneck (see above).
    app.run(host="0.0.0.0", port=PORT, threaded=False)
