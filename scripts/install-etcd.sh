#!/usr/bin/env bash
# Makes etcd 3.5 (etcd, etcdctl, etcdutl) available under .cache/etcd/bin.
# Order: ETCD_BIN_DIR if set and valid; a system etcd 3.5; else Debian's newer
# suite packages (Go binaries that run on bookworm), fetched with a throwaway
# sources list so the system's apt state is untouched.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/etcd"
bin="$dest/bin"

# The whole output first: `etcd --version | grep -q` under pipefail fails when grep exits early (SIGPIPE).
version_of() { local out; out="$("$1/etcd" --version 2>/dev/null)" || return 1; printf '%s\n' "${out%%$'\n'*}"; }
is_35() { [ -x "$1/etcd" ] && [[ "$(version_of "$1")" == "etcd Version: 3.5."* ]]; }

if [ -n "${ETCD_BIN_DIR:-}" ] && is_35 "$ETCD_BIN_DIR"; then echo "etcd: using $ETCD_BIN_DIR"; exit 0; fi
if is_35 "$bin"; then echo "etcd: $(version_of "$bin") in $bin"; exit 0; fi
sys="$(dirname "$(command -v etcd 2>/dev/null || echo /nonexistent/etcd)")"
if is_35 "$sys" && [ -x "$sys/etcdctl" ] && [ -x "$sys/etcdutl" ]; then
  mkdir -p "$bin"; ln -sf "$sys/etcd" "$sys/etcdctl" "$sys/etcdutl" "$bin/"; echo "etcd: using system $sys"; exit 0
fi

command -v apt-get >/dev/null || {
  echo "etcd 3.5 not found and apt-get is missing. Install etcd 3.5 (etcd, etcdctl, etcdutl) and set ETCD_BIN_DIR=/dir/with/them" >&2; exit 1; }

mirror="$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)"
[ -n "$mirror" ] || mirror="$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1 || true)"
[ -n "$mirror" ] || { echo "etcd: cannot find a Debian mirror in /etc/apt sources; set ETCD_BIN_DIR to a directory holding etcd 3.5" >&2; exit 1; }

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"
for suite in sid trixie; do
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$work/sources.list"
  opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$work/lists" -o Dir::Cache::Archives="$work/archives"
        -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0)
  apt-get "${opts[@]}" -qq update >/dev/null 2>&1 || continue
  ver="$(apt-cache "${opts[@]}" policy etcd-server 2>/dev/null | awk '/Candidate:/{print $2}')"
  case "$ver" in 3.5.*) ;; *) continue ;; esac
  (cd "$work" && apt-get "${opts[@]}" -qq download etcd-server etcd-client >/dev/null 2>&1) || continue
  mkdir -p "$work/x"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done
  mkdir -p "$bin"
  for b in etcd etcdctl etcdutl; do
    # the binaries only: the packages also hold /etc/init.d/etcd, a shell script
    f="$(find "$work/x" -type f -path "*/bin/$b" -print -quit)"
    [ -n "$f" ] && install -m 0755 "$f" "$bin/$b"
  done
  if is_35 "$bin"; then echo "etcd: installed $(version_of "$bin") from Debian $suite into $bin"; exit 0; fi
done
echo "etcd: could not install etcd 3.5 from Debian sid/trixie via $mirror. Install etcd 3.5 by hand and set ETCD_BIN_DIR=/dir/with/etcd,etcdctl,etcdutl" >&2
exit 1
