#!/usr/bin/env bash
# Writes .data/dev.env with development key material once (never committed).
# Production supplies JWT_PRIVATE_KEY and TOTP_ENCRYPTION_KEY from its secret store.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data
if [ ! -f .data/dev.env ]; then
  umask 077
  key="$(node -e "const {generateKeyPairSync}=require('crypto');process.stdout.write(generateKeyPairSync('ed25519').privateKey.export({format:'pem',type:'pkcs8'}).replace(/\n/g,'\\\\n'))")"
  totp="$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))")"
  printf 'JWT_PRIVATE_KEY="%s"\nTOTP_ENCRYPTION_KEY="%s"\n' "$key" "$totp" > .data/dev.env
  echo "dev-env: generated development keys in .data/dev.env"
fi
