/* Test-disk helper for qemu/disks.sh's btrfs recipes, run inside a preparatory QEMU boot (the
 * host has no btrfs mounts to offer, and mkfs.btrfs 6.2 has no --subvol):
 * `btrfs-subvol DIR NAME` creates the subvolume DIR/NAME with BTRFS_IOC_SUBVOL_CREATE, as
 * `btrfs subvolume create` does. Built statically: the preparatory root has no libc. */
#include <fcntl.h>
#include <linux/btrfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct btrfs_ioctl_vol_args args = {0};
	if (argc != 3 || strlen(argv[2]) >= sizeof(args.name)) {
		fprintf(stderr, "usage: btrfs-subvol DIR NAME\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	memcpy(args.name, argv[2], strlen(argv[2]) + 1);
	if (fd < 0 || ioctl(fd, BTRFS_IOC_SUBVOL_CREATE, &args) < 0) {
		fprintf(stderr, "btrfs-subvol: %s/%s: %m\n", argv[1], argv[2]);
		return 1;
	}
	close(fd);
	return 0;
}
