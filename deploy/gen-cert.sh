#!/bin/sh
# Makes the self-signed certificate of nginx's HTTPS listener, once.
#
#   sh deploy/gen-cert.sh DIR        (default DIR: /certs)
#
# Writes DIR/tls.crt and DIR/tls.key: an ECDSA P-256 key and a certificate for
# localhost and 127.0.0.1, valid 825 days (the longest that Apple's platforms accept for
# a TLS server certificate). When both files are already there it changes nothing, so a
# certificate survives restarts and a real one put there is never replaced; when only one
# of them is there it refuses rather than guess. docker-compose.yml runs this in its
# `certs` service before nginx starts; deploy/check-nginx.sh runs it too. POSIX sh and
# openssl only: it runs in the nginx image as well as on a developer's machine.
set -eu

dir=${1:-/certs}
crt=$dir/tls.crt
key=$dir/tls.key

if [ -s "$crt" ] && [ -s "$key" ]; then
    echo "gen-cert: $crt and $key exist; left as they are"
    exit 0
fi
if [ -e "$crt" ] || [ -e "$key" ]; then
    echo "gen-cert: only one of $crt and $key exists (or one is empty); not overwriting it." >&2
    echo "gen-cert: put both a certificate and its key there, or remove both to get a new pair." >&2
    exit 1
fi

mkdir -p "$dir"
umask 077
work=$(mktemp -d "$dir/.gen-cert.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A config of our own, so that the result does not depend on the system's openssl.cnf.
cat >"$work/req.cnf" <<'EOF'
[req]
prompt = no
distinguished_name = dn
x509_extensions = ext

[dn]
CN = localhost

[ext]
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
EOF

openssl req -x509 -new -config "$work/req.cnf" \
    -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 825 -sha256 \
    -keyout "$work/tls.key" -out "$work/tls.crt" 2>"$work/openssl.log" || {
    cat "$work/openssl.log" >&2
    exit 1
}
chmod 600 "$work/tls.key"
chmod 644 "$work/tls.crt"
# The key first: a half-finished run leaves a key without a certificate, which the next
# run reports instead of silently pairing it with something else.
mv "$work/tls.key" "$key"
mv "$work/tls.crt" "$crt"

echo "gen-cert: wrote $crt and $key (self-signed: CN=localhost, SAN localhost, 127.0.0.1, ::1; 825 days)"
openssl x509 -in "$crt" -noout -subject -enddate -fingerprint -sha256
