# Starts Redis in the background, runs the commands of the mounted Secret, saves them to /data and
# serves them in the foreground.
set -e
redis-server --daemonize yes
tries=0
until redis-cli ping >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -le 100 ] || { echo "redis-server did not start" >&2; exit 1; }
  sleep 0.1
done
if [ -f /redis-master/init.redis ]; then redis-cli </redis-master/init.redis; fi
redis-cli save
redis-cli shutdown
exec redis-server
