"""dockercoins' hasher: POST / with any body answers the SHA-256 of that body, in hex, as text.
GET / says which pod answered.

Hashing takes HASHER_DELAY seconds a request on top of the real work, standing in for an
expensive computation; requests are served in parallel, so hasher scales with its load."""
import hashlib
import logging
import os
import signal
import socket
import sys
import time

from flask import Flask, Response, request

DELAY = float(os.environ.get("HASHER_DELAY", "0.1"))
PORT = int(os.environ.get("PORT", "80"))

app = Flask(__name__)


@app.route("/", methods=["GET"])
def index():
    return "HASHER running on {}\n".format(socket.gethostname())


@app.route("/", methods=["POST"])
def hasher():
    digest = hashlib.sha256(request.get_data()).hexdigest()
    time.sleep(DELAY)
    return Response(digest, content_type="text/plain")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    # As PID 1 in a container Python gets no default SIGTERM action: without a handler, stopping
    # the pod would wait out the whole grace period.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app.run(host="0.0.0.0", port=PORT, threaded=True)
