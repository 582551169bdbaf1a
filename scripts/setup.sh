#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and only those missing.
# Safe to run again: a warm machine returns in well under a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-program-options1.81-dev
  librocksdb-dev rocksdb-tools libflatbuffers-dev flatbuffers-compiler
  libsodium-dev libsrtp2-dev libspdlog-dev catch2 libssl-dev libjemalloc-dev
  clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14 python3
  minisign openssl tzdata
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
