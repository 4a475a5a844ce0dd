"""The ambassador pattern's app: answers with the time of the previous visit, kept in Redis, which
an ambassador container in the same pod proxies on localhost:6379. It answers as the seeds' app
does."""
from datetime import datetime

import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host="localhost", port=6379)


@app.route("/")
def index():
    now = datetime.now().strftime("%Y-%m-%d, %H:%M:%S")
    previous = cache.getset("ultima_visita", now)
    return "WCSO! Visitado el {}.\n".format(previous.decode() if previous else now)
