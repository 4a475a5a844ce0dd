"""The sidecar pattern's app: answers with the value of the key "secret" that a Redis sidecar in the
same pod loaded from a Secret. Until the key is there it fails (HTTP 500), as the seeds' app does."""
import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host="localhost", port=6379)


@app.route("/")
def index():
    return "Hi there! The secret is {}.\n".format(cache.get("secret").decode())
