#!/bin/sh
# The lab's secrets, made once into the lab-secrets volume (never in the repository):
# WireGuard keys for the hub and the edge, the edge's wg-quick file (both edges use it), the
# hub's static peer file, the database password
# (and a pgpass for the edge), a CA and PostgreSQL's server certificate. Files are owned by
# uid 999 (postgres in the postgres image) with mode 600; root in the other containers reads them,
# and the app (nobody) the two it needs.
set -eu
cd /secrets
if [ -f .done ]; then echo "init: secrets exist"; exit 0; fi
umask 077
wg genkey > hub.key && wg pubkey < hub.key > hub.pub
wg genkey > edge.key && wg pubkey < edge.key > edge.pub
cat > edge.conf <<CONF
[Interface]
PrivateKey = $(cat edge.key)
Address = 10.50.3.10/32

[Peer]
PublicKey = $(cat hub.pub)
Endpoint = 203.0.113.1:51820
AllowedIPs = 10.50.0.0/24
PersistentKeepalive = 25
CONF
# The hub's static peer: the seed's edge key, which the edges enroll with (`wgsidecar hub`).
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.50.3.10/32\n' "$(cat edge.pub)" > hub-peers.conf
openssl rand -hex 24 > db_password
printf '*:*:*:postgres:%s\n' "$(cat db_password)" > pgpass
mkdir -p tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=wgsidecar compose lab CA" -keyout tls/ca.key -out tls/ca.crt \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=10.50.0.1" \
  -keyout tls/server.key -out tls/server.csr 2>/dev/null
printf 'subjectAltName=IP:10.50.0.1,IP:198.51.100.10\n' > tls/ext.cnf
openssl x509 -req -in tls/server.csr -CA tls/ca.crt -CAkey tls/ca.key -CAcreateserial -days 30 \
  -extfile tls/ext.cnf -out tls/server.crt 2>/dev/null
rm -f tls/ca.key tls/server.csr tls/ext.cnf tls/ca.srl edge.key
chmod 644 tls/ca.crt hub.pub edge.pub
chown -R 999:999 /secrets
# contacts-api runs as nobody (the image's SIDECAR_APP_USER) and reads the pgpass and the CA
# itself: the pgpass is nobody's (libpq wants mode 0600), and nobody may pass through the
# directories to it and to the CA's certificate; the keys stay unreadable to it.
chown 65534:65534 pgpass
chmod 711 /secrets tls
touch .done
echo "init: keys, database password and certificates made"
