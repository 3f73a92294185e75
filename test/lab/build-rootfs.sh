#!/usr/bin/env bash
# Builds one lab root filesystem into TARGET, never leaving a half build there:
# it works in TARGET.tmp-PID and renames at the end. Run it under the cache
# lock (rootfs.js does: flock). Variants:
#   base     debootstrap minbase + PACKAGES, an operator user with sudo
#   patroni  a copy of BASE_DIR + PACKAGES installed with apt (no services started,
#            no PostgreSQL cluster created, postgresql and patroni units disabled)
# usage: build-rootfs.sh base TARGET MIRROR SUITE USER PACKAGES...
#        build-rootfs.sh patroni TARGET BASE_DIR PACKAGES...
set -euo pipefail
variant="$1" target="$2"
shift 2
[ -d "$target" ] && exit 0 # another build finished it while we waited for the lock
tmp="$target.tmp-$$"
pid=

cleanup() {
  local rc=$?
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  if [ -d "$tmp" ]; then
    # debootstrap and nspawn leave proc, sys and friends mounted when interrupted
    grep -o " $tmp/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM HUP
trap 'exit 130' INT

# A child in the background and `wait`: bash runs a trap only once its foreground child ends.
run() { "$@" & pid=$!; wait "$pid"; pid=; }

in_root() {
  run systemd-nspawn -q --register=no --keep-unit --pipe -D "$tmp" \
    -E DEBIAN_FRONTEND=noninteractive -E LC_ALL=C "$@" </dev/null
}

case "$variant" in
  base)
    mirror="$1" suite="$2" user="$3"
    shift 3
    include="$(IFS=,; echo "$*")"
    run debootstrap --variant=minbase --include="$include" "$suite" "$tmp" "$mirror"
    chroot "$tmp" useradd -m -s /bin/bash "$user"
    echo "$user ALL=(ALL) NOPASSWD:ALL" > "$tmp/etc/sudoers.d/$user"
    chmod 0440 "$tmp/etc/sudoers.d/$user"
    install -d -m 0700 -o "$(chroot "$tmp" id -u "$user")" -g "$(chroot "$tmp" id -g "$user")" "$tmp/home/$user/.ssh"
    systemctl --root="$tmp" enable systemd-networkd ssh >/dev/null 2>&1
    # No login prompt on a console nobody reads.
    systemctl --root="$tmp" mask console-getty.service getty@tty1.service >/dev/null 2>&1
    ;;
  patroni)
    base="$1"
    shift
    run cp -a "$base" "$tmp"
    # Debian would create and start a "main" PostgreSQL cluster on install: Patroni owns the data dir here.
    mkdir -p "$tmp/etc/postgresql-common/createcluster.d"
    echo 'create_main_cluster = false' > "$tmp/etc/postgresql-common/createcluster.d/lab.conf"
    printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
    chmod 0755 "$tmp/usr/sbin/policy-rc.d"
    in_root apt-get -qq update
    in_root apt-get -qq install -y --no-install-recommends "$@" >/dev/null
    in_root apt-get -qq clean
    rm -f "$tmp/usr/sbin/policy-rc.d"
    rm -rf "$tmp/var/lib/apt/lists/"*
    systemctl --root="$tmp" disable postgresql.service patroni.service >/dev/null 2>&1 || true
    ;;
  *)
    echo "build-rootfs.sh: unknown variant $variant" >&2
    exit 2
    ;;
esac

# Per-host identity is made when a host is created: no shared host keys or machine id.
rm -f "$tmp"/etc/ssh/ssh_host_*
: > "$tmp/etc/machine-id"
rm -f "$tmp/var/lib/dbus/machine-id"
mv "$tmp" "$target"
