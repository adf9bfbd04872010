#!/usr/bin/env bash
# Runs the nginx configuration of docker-compose.yml, without Docker, in front of a small
# local event stream, and checks what a browser would get:
#
#   - `nginx -t` passes;
#   - https:// negotiates HTTP/2 (ALPN h2) with a certificate made by deploy/gen-cert.sh,
#     which a second run leaves as it is;
#   - GET /api/events arrives event by event as the origin writes them (every event within
#     0.5 s of being sent, not all at the end), over HTTP/2 and over plain HTTP/1.1;
#   - the stream is not gzipped even when the client asks for gzip;
#   - the origin sees HTTP/1.1 without "Connection", and Host, X-Forwarded-Host,
#     X-Forwarded-Proto and X-Forwarded-For as the gateway expects them;
#   - and, as controls: that the same configuration with proxy_buffering on and gzip on
#     for text/event-stream (the usual mistakes) does hold the events back and gzip them,
#     so these checks can fail; and that an origin's "X-Accel-Buffering: no" (which the
#     gateway sends) then still gets them through one by one: nginx honours the header.
#
#   deploy/check-nginx.sh            (root or not; needs nginx, curl with HTTP/2, openssl,
#                                     python3; Debian: apt-get install nginx-light)
#
# Everything runs on 127.0.0.1 from a temporary prefix that is removed at the end: the
# origin on ORIGIN_PORT (18080), nginx on TLS_PORT (18443, HTTPS + HTTP/2) and HTTP_PORT
# (18090, plain). The configuration under test is deploy/nginx.conf with only these
# changed: the upstream servers (gateway1/gateway2 -> the origin), the listen ports, the
# certificate, log, pid and temp paths; and, for an nginx older than 1.25.1 (Debian 12
# has 1.22), "http2 on;" written as "listen ... ssl http2;". deploy/nginx-locations.conf,
# where the proxying is, is used byte for byte. Exits 0 when every check passes, 1 when
# one fails, 2 when something it needs is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ORIGIN_PORT=${ORIGIN_PORT:-18080}
TLS_PORT=${TLS_PORT:-18443}
HTTP_PORT=${HTTP_PORT:-18090}
EVENTS=${EVENTS:-5}
INTERVAL=${INTERVAL:-1}

missing() { echo "check-nginx: $*" >&2; exit 2; }
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || missing "no nginx (Debian: apt-get install nginx-light; or set NGINX=/path/to/nginx)"
for tool in curl openssl python3; do
    command -v "$tool" >/dev/null || missing "no $tool"
done
curl -V | grep -w HTTP2 >/dev/null || missing "this curl has no HTTP/2 support"

nginx_version=$("$NGINX" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')
at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]; }
at_least 1.19.5 "$nginx_version" || missing "nginx $nginx_version is too old (needs -e, 1.19.5)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-nginx.XXXXXX")
# nginx's workers (nobody, when nginx starts as root) must reach the temp directories.
chmod 755 "$tmp"
origin_pid=
nginx_pid=
stop_nginx() {
    if [ -n "$nginx_pid" ]; then
        kill -TERM "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
        nginx_pid=
    fi
}
cleanup() {
    stop_nginx
    if [ -n "$origin_pid" ]; then
        kill -TERM "$origin_pid" 2>/dev/null || true
        wait "$origin_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; failures=$((failures + 1)); }

for port in "$ORIGIN_PORT" "$TLS_PORT" "$HTTP_PORT"; do
    python3 - "$port" <<'EOF' || missing "127.0.0.1:$port is in use (set ORIGIN_PORT, TLS_PORT, HTTP_PORT)"
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
done

# --- the origin: a stand-in for the gateway's GET /api/events ----------------------------
# It streams EVENTS events, one every INTERVAL s, each a few dozen bytes (far less than
# any buffer, so buffering shows), in HTTP/1.1 chunks; it sends none of the headers that help
# (no X-Accel-Buffering, Cache-Control or Content-Encoding) unless asked with ?xab=1. Each
# event carries when it was sent and what the origin received.
cat >"$tmp/origin.py" <<'EOF'
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

port, count, interval = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/api/events":
            body = json.dumps({"ok": True, "path": url.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        if "xab=1" in url.query:
            self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        seen = {
            "version": self.request_version,
            "connection": self.headers.get("Connection"),
            "host": self.headers.get("Host"),
            "x_forwarded_host": self.headers.get("X-Forwarded-Host"),
            "x_forwarded_proto": self.headers.get("X-Forwarded-Proto"),
            "x_forwarded_for": self.headers.get("X-Forwarded-For"),
            "x_real_ip": self.headers.get("X-Real-IP"),
        }
        try:
            self.chunk(b"retry: 2000\n\n")
            for n in range(1, count + 1):
                time.sleep(interval)
                data = {"n": n, "sent": time.time()}
                if n == 1:
                    data["seen"] = seen
                self.chunk(b"id: %d\nevent: tick\ndata: %s\n\n" % (n, json.dumps(data).encode()))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
EOF

# --- the client side: curl's output, each line stamped with when it arrived ---------------
cat >"$tmp/stamp.py" <<'EOF'
import sys, time
for line in iter(sys.stdin.buffer.readline, b""):
    sys.stdout.write("%.6f\t%s\n" % (time.time(), line.rstrip(b"\r\n").decode("utf-8", "replace")))
    sys.stdout.flush()
EOF

# Reads a stamped stream and curl's -v output; prints the timings and what the origin saw;
# exits 1 if the events were held back (or, with "buffered", if they were not).
cat >"$tmp/verify.py" <<'EOF'
import json, sys, time
stamped, expect, count, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
events = []
for row in open(stamped, encoding="utf-8"):
    arrived, line = row.rstrip("\n").split("\t", 1)
    if line.startswith("data: "):
        events.append((float(arrived), json.loads(line[6:])))
fmt = lambda t: time.strftime("%H:%M:%S", time.localtime(t)) + ("%.3f" % (t % 1))[1:]
for arrived, data in events:
    print("        event %d  sent %s  received %s  after %4.0f ms"
          % (data["n"], fmt(data["sent"]), fmt(arrived), (arrived - data["sent"]) * 1000))
if events and "seen" in events[0][1]:
    print("        origin saw: " + json.dumps(events[0][1]["seen"]))
if len(events) != count:
    print("        expected %d events, got %d" % (count, len(events)))
    sys.exit(1)
delays = [arrived - data["sent"] for arrived, data in events]
spread = events[-1][0] - events[0][0]
streamed = max(delays) < 0.5 and spread >= (count - 1) * interval * 0.8
sys.exit(0 if streamed == (expect == "streamed") else 1)
EOF

# --- the certificate: made by deploy/gen-cert.sh, and left alone by a second run ----------
echo "== certificate (deploy/gen-cert.sh)"
sh "$here/gen-cert.sh" "$tmp/certs" | sed 's/^/        /'
before=$(openssl x509 -in "$tmp/certs/tls.crt" -noout -fingerprint -sha256)
sh "$here/gen-cert.sh" "$tmp/certs" | sed 's/^/        /'
after=$(openssl x509 -in "$tmp/certs/tls.crt" -noout -fingerprint -sha256)
if [ "$before" = "$after" ]; then pass "a second run keeps the certificate"; else fail "a second run replaced the certificate"; fi
if openssl x509 -in "$tmp/certs/tls.crt" -noout -ext subjectAltName | grep 'DNS:localhost, IP Address:127.0.0.1' >/dev/null; then
    pass "subjectAltName covers localhost and 127.0.0.1"
else
    fail "subjectAltName lacks localhost or 127.0.0.1"
fi

# --- the configuration under test -------------------------------------------------------
# render VARIANT: deploy/nginx.conf with the substitutions listed at the top (each must
# match exactly as often as expected, so a change to nginx.conf cannot slip by the test);
# VARIANT=control also turns the copy of nginx-locations.conf into the usual mistakes:
# proxy_buffering on, gzip on for text/event-stream.
render() {
    python3 - "$here" "$tmp" "$ORIGIN_PORT" "$TLS_PORT" "$HTTP_PORT" "$1" "$old_http2" <<'EOF'
import re, sys
here, tmp, origin, tls, plain, variant, old_http2 = sys.argv[1:]

def sub(text, pattern, repl, count):
    new, n = re.subn(pattern, repl, text, flags=re.M)
    if n != count:
        sys.exit("check-nginx: %r matched %d times in the config, expected %d" % (pattern, n, count))
    return new

conf = open(here + "/nginx.conf").read()
conf = sub(conf, r"^(\s*)server gateway[12]:8080;", r"\1server 127.0.0.1:%s;" % origin, 2)
conf = sub(conf, r"^(\s*)listen 80;", r"\1listen 127.0.0.1:%s;" % plain, 1)
if old_http2 == "yes":
    conf = sub(conf, r"^\s*http2 on;\n", "", 1)
    conf = sub(conf, r"^(\s*)listen 443 ssl;", r"\1listen 127.0.0.1:%s ssl http2;" % tls, 1)
else:
    conf = sub(conf, r"^(\s*)listen 443 ssl;", r"\1listen 127.0.0.1:%s ssl;" % tls, 1)
conf = sub(conf, r"/etc/nginx/certs/", tmp + "/certs/", 2)
conf = sub(conf, r"^error_log /var/log/nginx/error\.log", "error_log " + tmp + "/error.log", 1)
conf = sub(conf, r"^pid /var/run/nginx\.pid;", "pid " + tmp + "/nginx.pid;", 1)
conf = sub(conf, r"^(\s*)access_log /var/log/nginx/access\.log;", r"\1access_log %s/access.log;" % tmp, 1)
temps = "".join("    %s_temp_path %s/temp/%s;\n" % (m, tmp, m)
                for m in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
conf = sub(conf, r"^http \{\n", lambda m: m.group(0) + temps, 1)
open(tmp + "/nginx.conf", "w").write(conf)

locations = open(here + "/nginx-locations.conf").read()
if variant == "control":
    locations = sub(locations, r"^(\s*)proxy_buffering off;", r"\1proxy_buffering on;", 1)
    locations = sub(locations, r"^(\s*)gzip off;", r"\1gzip on; gzip_types text/event-stream;", 1)
open(tmp + "/nginx-locations.conf", "w").write(locations)
EOF
}

nginx_args=(-p "$tmp/" -c "$tmp/nginx.conf" -e "$tmp/error.log")
start_nginx() {
    "$NGINX" "${nginx_args[@]}" -g 'daemon off;' &
    nginx_pid=$!
    for _ in $(seq 50); do
        if curl -sk -o /dev/null "https://127.0.0.1:$TLS_PORT/" && curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/"; then
            return 0
        fi
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "check-nginx: nginx did not start:" >&2
    cat "$tmp/error.log" >&2 || true
    exit 1
}

mkdir -p "$tmp/temp"
old_http2=no
at_least 1.25.1 "$nginx_version" || old_http2=yes
echo "== nginx $nginx_version ($NGINX)"
if [ "$old_http2" = yes ]; then
    echo "        nginx < 1.25.1: the test copy spells \"http2 on;\" as \"listen ... ssl http2;\""
fi
render as-is
if cmp -s "$here/nginx-locations.conf" "$tmp/nginx-locations.conf"; then
    pass "nginx-locations.conf is tested unchanged"
else
    fail "nginx-locations.conf was changed for the test"
fi
echo "        differences from deploy/nginx.conf in the test copy:"
diff "$here/nginx.conf" "$tmp/nginx.conf" | sed -n 's/^[<>].*/          &/p' || true
if "$NGINX" "${nginx_args[@]}" -t >"$tmp/t.out" 2>&1; then
    pass "nginx -t: $(grep -o 'test is successful' "$tmp/t.out")"
else
    fail "nginx -t"
    sed 's/^/          /' "$tmp/t.out"
    exit 1
fi

python3 "$tmp/origin.py" "$ORIGIN_PORT" "$EVENTS" "$INTERVAL" &
origin_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$ORIGIN_PORT/" && break
    sleep 0.1
done
start_nginx

# stream NAME EXPECT URL CURL-ARGS...: reads the stream with curl -N, stamps each line.
stream() {
    local name=$1 expect=$2 url=$3
    shift 3
    local cmd=(curl "$@" -sv -N --max-time $((EVENTS * ${INTERVAL%.*} + 15)) -H 'Accept-Encoding: gzip' "$url")
    echo "        \$$(printf ' %q' "${cmd[@]}")"
    "${cmd[@]}" 2>"$tmp/$name.err" | python3 "$tmp/stamp.py" >"$tmp/$name.out" || true
    if python3 "$tmp/verify.py" "$tmp/$name.out" "$expect" "$EVENTS" "$INTERVAL"; then
        pass "$name: events $expect"
    else
        fail "$name: events not $expect"
    fi
}
header() { grep -Ei "^< ($2)" "$tmp/$1.err" | tr -d '\r' || true; }

echo "== HTTPS with HTTP/2: GET /api/events"
stream h2 streamed "https://127.0.0.1:$TLS_PORT/api/events" --http2 -k
grep -E '^\* (ALPN|SSL connection|Server certificate|using HTTP/2)|^\*  (subject|expire date|subjectAltName)|^< ' "$tmp/h2.err" \
    | tr -d '\r' | sed 's/^/        /' || true
if grep -Eq '^\* ALPN.*(server accepted|accepted to use) h2' "$tmp/h2.err"; then pass "ALPN negotiated h2"; else fail "ALPN did not negotiate h2"; fi
if [ -n "$(header h2 'HTTP/2 200')" ]; then pass "HTTP/2 200"; else fail "no HTTP/2 200"; fi
if header h2 'content-type:' | grep -i 'text/event-stream' >/dev/null; then pass "content-type: text/event-stream"; else fail "content-type is not text/event-stream"; fi
if [ -z "$(header h2 'content-encoding:')" ]; then pass "no content-encoding although the request accepts gzip"; else fail "$(header h2 'content-encoding:')"; fi
if grep -q '"version": "HTTP/1.1", "connection": null, "host": "127.0.0.1:'"$TLS_PORT"'", "x_forwarded_host": "127.0.0.1:'"$TLS_PORT"'", "x_forwarded_proto": "https", "x_forwarded_for": "127.0.0.1"' "$tmp/h2.out"; then
    pass "origin saw HTTP/1.1, no Connection, Host and X-Forwarded-Host 127.0.0.1:$TLS_PORT, X-Forwarded-Proto https, X-Forwarded-For 127.0.0.1"
else
    fail "origin saw other request headers"
fi

echo "== HTTPS with HTTP/2: another path"
got=$(curl --http2 -k -s -o /dev/null -w '%{http_version} %{http_code}' "https://127.0.0.1:$TLS_PORT/readyz")
if [ "$got" = "2 200" ]; then pass "GET /readyz: HTTP/$got"; else fail "GET /readyz: $got"; fi

echo "== plain HTTP/1.1: GET /api/events"
stream h1 streamed "http://127.0.0.1:$HTTP_PORT/api/events" --http1.1
header h1 'HTTP/1.1 |content-type:|content-encoding:|transfer-encoding:' | sed 's/^/        /'
if [ -n "$(header h1 'HTTP/1.1 200')" ]; then pass "HTTP/1.1 200"; else fail "no HTTP/1.1 200"; fi
if [ -z "$(header h1 'content-encoding:')" ]; then pass "no content-encoding although the request accepts gzip"; else fail "$(header h1 'content-encoding:')"; fi
if grep -q '"x_forwarded_proto": "http"' "$tmp/h1.out"; then pass "origin saw X-Forwarded-Proto http"; else fail "origin saw another X-Forwarded-Proto"; fi

echo "== controls: /api/events with proxy_buffering on and gzip on for text/event-stream"
stop_nginx
render control
start_nginx
stream control buffered "https://127.0.0.1:$TLS_PORT/api/events" --http2 -k --compressed
if header control 'content-encoding: gzip' | grep . >/dev/null; then pass "control: content-encoding: gzip (the check above would see it)"; else fail "control: not gzipped"; fi
echo "   ... and the origin sending X-Accel-Buffering: no, as the gateway does"
stream control-x-accel-buffering streamed "https://127.0.0.1:$TLS_PORT/api/events?xab=1" --http2 -k --compressed

if [ "$failures" -ne 0 ]; then
    echo "check-nginx: $failures check(s) failed"
    echo "--- nginx error log"; cat "$tmp/error.log" || true
    exit 1
fi
echo "check-nginx: all checks passed"
