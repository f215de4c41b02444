/* The stage-2 init of the hibernate/resume scenario (qemu/scenarios/resume-cycle.scn): proves
 * that a process survives hibernation through initkit. Usage, as init:
 *   init=/usr/lib/test/hibernate-probe -- SWAPDEV
 *   init=/usr/lib/test/hibernate-probe -- FSDEV /swapfile   (a swap file: FSDEV is mounted on
 *                                                            /tmp, /tmp/swapfile is swapped on)
 * It swapon()s SWAPDEV (or the file), starts a worker that counts every 200 ms (in memory shared
 * with us), and writes "disk" to /sys/power/state: the kernel writes the image to the swap and
 * powers off. The next boot goes through initkit, which asks the kernel to resume; the kernel
 * restores the image and the write returns here, in the SAME processes: we print the pids,
 * the token drawn before hibernating and the counter going on, then power off.
 * Lines start with HIBERNATE-PROBE; "HIBERNATE-PROBE FAIL" on any failure.
 * Built statically: the test root has no libc. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 200
#define TICKS_BEFORE 10 /* the worker counts this far before we hibernate */
#define TICKS_AFTER 10	/* and this much further after the resume */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void read_attr(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (n <= 0)
		snprintf(buf, size, "(cannot read: %s)", strerror(errno));
}

static int write_attr(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = write(fd, value, strlen(value)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static void show_power(const char *when)
{
	static const char *const attrs[] = {"disk", "state", "image_size", "resume"};
	char buf[256];
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/power/%s", attrs[i]);
		read_attr(path, buf, sizeof(buf));
		printf("HIBERNATE-PROBE %s: /sys/power/%s = %s\n", when, attrs[i], buf);
	}
}

static void power_off(void)
{
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	_exit(1);
}

static void fail(const char *what)
{
	printf("HIBERNATE-PROBE FAIL %s\n", what);
	show_power("fail");
	power_off();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	mount("proc", "/proc", "proc", 0, NULL);	/* EBUSY when stage 1 moved it here */
	mount("sysfs", "/sys", "sysfs", 0, NULL);	/* idem */
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL); /* idem */
	if (argc < 2)
		fail("usage: hibernate-probe SWAPDEV (init=... -- SWAPDEV)");
	char boot_id[64], token[64], msg[512];
	unsigned char rnd[8];
	read_attr("/proc/sys/kernel/random/boot_id", boot_id, sizeof(boot_id));
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		fail("getrandom");
	snprintf(token, sizeof(token), "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	printf("HIBERNATE-PROBE start: pid=%d boot_id=%s token=%s swap=%s\n", (int)getpid(),
	       boot_id, token, argv[1]);
	char swap[256];
	snprintf(swap, sizeof(swap), "%s", argv[1]);
	if (argc > 2) { /* a swap file on FSDEV */
		if (mount(argv[1], "/tmp", "ext4", 0, NULL) < 0) {
			snprintf(msg, sizeof(msg), "mount %s on /tmp: %s", argv[1],
				 strerror(errno));
			fail(msg);
		}
		snprintf(swap, sizeof(swap), "/tmp%s", argv[2]);
		int fd = open(swap, O_RDONLY | O_CLOEXEC), block = 0;
		if (fd < 0 || ioctl(fd, FIBMAP, &block) < 0) /* 4 KiB blocks: a page each */
			fail("FIBMAP on the swap file");
		close(fd);
		printf("HIBERNATE-PROBE swap file %s on %s starts at page %d (resume_offset)\n",
		       argv[2], argv[1], block);
	}
	if (swapon(swap, 0) < 0) {
		snprintf(msg, sizeof(msg), "swapon %s: %s", swap, strerror(errno));
		fail(msg);
	}
	read_attr("/proc/swaps", msg, sizeof(msg));
	show_power("before");

	volatile unsigned long *count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE,
					     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (count == MAP_FAILED)
		fail("mmap");
	pid_t worker = fork();
	if (worker < 0)
		fail("fork");
	if (worker == 0) {
		for (;;) {
			unsigned long c = ++*count;
			if (c % 5 == 0)
				printf("HIBERNATE-PROBE worker pid=%d count=%lu\n", (int)getpid(),
				       c);
			sleep_ms(TICK_MS);
		}
	}
	while (*count < TICKS_BEFORE)
		sleep_ms(50);

	/* shutdown, not platform: power off after writing the image, whatever ACPI offers */
	int r = write_attr("/sys/power/disk", "shutdown");
	if (r < 0)
		printf("HIBERNATE-PROBE /sys/power/disk: cannot select shutdown: %s\n",
		       strerror(-r));
	unsigned long before = *count;
	printf("HIBERNATE-PROBE hibernating: pid=%d worker=%d count=%lu token=%s\n", (int)getpid(),
	       (int)worker, before, token);
	sync();
	r = write_attr("/sys/power/state", "disk");
	if (r < 0) {
		snprintf(msg, sizeof(msg), "writing disk to /sys/power/state: %s", strerror(-r));
		kill(worker, SIGKILL);
		fail(msg);
	}

	/* Only a restored image gets here: shutdown mode powers off after saving it. The boot
	 * id is the restored kernel's too (the kernel that booted this time had another). */
	char boot_id_now[64];
	read_attr("/proc/sys/kernel/random/boot_id", boot_id_now, sizeof(boot_id_now));
	printf("HIBERNATE-PROBE back: pid=%d worker=%d count=%lu (was %lu) boot_id=%s token=%s\n",
	       (int)getpid(), (int)worker, *count, before, boot_id_now, token);
	if (strcmp(boot_id, boot_id_now) != 0)
		fail("the boot id changed: this is no restored image");
	if (kill(worker, 0) < 0)
		fail("the worker is gone after the resume");
	for (int i = 0; i < 100 && *count < before + TICKS_AFTER; i++)
		sleep_ms(TICK_MS);
	unsigned long after = *count;
	if (after < before + TICKS_AFTER) {
		snprintf(msg, sizeof(msg), "the worker's count stopped at %lu (was %lu)", after,
			 before);
		fail(msg);
	}
	printf("HIBERNATE-PROBE RESUMED: pid=%d and worker pid=%d survived, count %lu -> %lu, "
	       "token %s, boot_id %s\n",
	       (int)getpid(), (int)worker, before, after, token, boot_id);
	kill(worker, SIGKILL);
	swapoff(swap);
	power_off();
}
