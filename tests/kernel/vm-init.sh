#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test VM's initramfs (busybox sh, PID 1). vm-run.sh packs it with a static
# busybox and the few modules needed to reach the 9p shares. It mounts the host's /usr and
# /etc (read-only) and the project tree, builds a tmpfs root around them, runs the test
# script in it with bash and writes the script's status where the host reads it.
# Everything here runs before the chroot, so only busybox applets are available.
set -u
bb=/bin/busybox
$bb mkdir -p /proc /sys /dev /newroot /h3run
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
# The serial console must not turn \n into \r\n: the host reads it as plain text.
$bb stty -F /dev/console -onlcr 2>/dev/null
exec </dev/console >/dev/console 2>&1

die() {
  echo "vm-init: $*"
  $bb poweroff -f
}

for module in $($bb cat /modules/order); do
  $bb insmod "/modules/$module" || die "cannot load $module"
done

# Read-only shares are cached (cache=loose): nothing changes them while a test runs, and
# without a page cache every exec re-reads its binary and libraries over 9p and qemu
# translates their code again, which made each command take seconds. Writable shares are
# not cached, so the host sees what the guest writes.
p9_options=trans=virtio,version=9p2000.L,msize=262144
mount_9p() { # TAG DIR [ro|rw]
  local cache=loose
  [ "${3:-ro}" = rw ] && cache=none
  $bb mkdir -p "$2"
  $bb mount -t 9p -o "$p9_options,cache=$cache,${3:-ro}" "$1" "$2" || die "cannot mount 9p share $1 at $2"
}

mount_9p h3run /h3run rw
root=/newroot
$bb mount -t tmpfs -o mode=0755 tmpfs "$root"
mount_9p usr "$root/usr"
# /etc is an overlay so tests may write (e.g. /etc/netns/NS/hosts) without touching the host.
$bb mkdir -p /etc-lower /etc-rw
mount_9p etc /etc-lower
$bb mount -t tmpfs tmpfs /etc-rw
$bb mkdir -p /etc-rw/upper /etc-rw/work "$root/etc"
$bb mount -t overlay overlay -o lowerdir=/etc-lower,upperdir=/etc-rw/upper,workdir=/etc-rw/work "$root/etc" ||
  die "cannot mount the /etc overlay"

cd "$root" || die "no new root"
for link in bin:usr/bin sbin:usr/sbin lib:usr/lib lib64:usr/lib64; do
  $bb ln -s "${link#*:}" "${link%%:*}"
done
$bb mkdir -p proc sys dev run tmp var/tmp var/lib var/log root
$bb ln -s ../run var/run
$bb mount -t proc proc proc
$bb mount -t sysfs sysfs sys
$bb mount -t devtmpfs devtmpfs dev
$bb mkdir -p dev/pts dev/shm
# devtmpfs has no /dev/fd or /dev/std*, which bash's <(...) and `cmd /dev/stdin` need.
$bb ln -sfn /proc/self/fd dev/fd
for fd in 0:stdin 1:stdout 2:stderr; do $bb ln -sfn "/proc/self/fd/${fd%%:*}" "dev/${fd#*:}"; done
$bb mount -t devpts -o newinstance,ptmxmode=0666 devpts dev/pts
$bb mount -t tmpfs tmpfs dev/shm
$bb mount -t tmpfs -o mode=0755 tmpfs run
$bb mkdir -p run/h3vm
$bb mount -o bind /h3run run/h3vm
$bb mount -t tmpfs -o mode=1777 tmpfs tmp
$bb mount -t tmpfs -o mode=1777 tmpfs var/tmp
$bb hostname h3vm

# The kernel loads modules on demand (nftables, dummy, ...) by running /sbin/modprobe from
# PID 1's root, which is this initramfs: hand those requests to the real modprobe in the chroot.
$bb mkdir -p /sbin
printf '#!/bin/busybox sh\nexec /bin/busybox chroot %s /usr/sbin/modprobe "$@"\n' "$root" >/sbin/modprobe
$bb chmod 0755 /sbin/modprobe

# Extra shares last, so a share under /tmp is not hidden by the tmpfs. One per line in
# /h3run/shares, parents first: TAG MODE PATH (PATH is the same as on the host).
while read -r tag mode path; do
  [ -n "$tag" ] && mount_9p "$tag" "$root$path" "$mode"
done </h3run/shares

$bb chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root TERM=dumb LANG=C.UTF-8 /usr/bin/bash /run/h3vm/guest.sh
status=$?
echo "$status" >/h3run/status.tmp && $bb mv /h3run/status.tmp /h3run/status
$bb sync
$bb poweroff -f
