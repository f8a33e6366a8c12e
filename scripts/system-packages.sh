#!/usr/bin/env bash
# Install the Debian packages talkarchive needs, only when something is missing.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v chromium >/dev/null || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)  # the catalog tests on PostgreSQL
[ -f /usr/share/dict/ngerman ] || need+=(wngerman)
command -v tesseract >/dev/null || need+=(tesseract-ocr)  # slide text
[ -f /usr/share/tesseract-ocr/5/tessdata/deu.traineddata ] || need+=(tesseract-ocr-deu)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)  # test slides
command -v qemu-x86_64 >/dev/null || need+=(qemu-user)  # the suite runs an ingest as a CPU without AVX-512 would
command -v objdump >/dev/null || need+=(binutils)  # scripts/isa_audit.py
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
