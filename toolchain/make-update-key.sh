#!/usr/bin/env bash
# Makes a development update CA and a signing key for RAUC bundles in DIR (default
# var/update-keys/, ignored by git): ca.key.pem + ca.cert.pem (the keyring a unit trusts:
# /etc/rauc/keyring.pem) and update.key.pem + update.cert.pem (signed by the CA; what
# toolchain/make-bundle.sh signs with). For the fleet the CA key is made once on an offline
# machine and never leaves it (README.md, "Updates"); keys are never committed.
# Usage: toolchain/make-update-key.sh [DIR] [NAME]   (NAME goes in the subjects)
set -euo pipefail
dir=${1:-var/update-keys}
name=${2:-Kiosk development}
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
if [ -f ca.key.pem ]; then
  echo "make-update-key: $dir already holds a CA; remove it to make a new one" >&2
  exit 1
fi
umask 077
cat >openssl.cnf <<'CNF'
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[sign_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -keyout ca.key.pem -out ca.cert.pem -subj "/O=$name/CN=$name update CA" \
  -config openssl.cnf -extensions ca_ext 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout update.key.pem -out update.csr.pem -subj "/O=$name/CN=$name update signing" 2>/dev/null
openssl x509 -req -in update.csr.pem -CA ca.cert.pem -CAkey ca.key.pem -CAcreateserial \
  -days 1825 -out update.cert.pem -extfile openssl.cnf -extensions sign_ext 2>/dev/null
rm -f update.csr.pem ca.cert.srl
chmod 644 ca.cert.pem update.cert.pem
echo "make-update-key: $dir/ca.cert.pem (the units' keyring), $dir/update.{key,cert}.pem (signing)"
