/* Resume from hibernation; see resume.h. */
#include "resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bootconf.h"
#include "devices.h"
#include "log.h"
#include "util.h"

#define SYS_POWER "/sys/power"

uint64_t resume_wait_ms(uint64_t rd_timeout_ms)
{
	return rd_timeout_ms < RESUME_WAIT_MAX_MS ? rd_timeout_ms : RESUME_WAIT_MAX_MS;
}

static int write_attr(int dirfd, const char *name, const char *value)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* sysfs takes a store in one write(); a short one is an error too */
	ssize_t n = write(fd, value, strlen(value));
	if (n < 0)
		return -errno;
	return (size_t)n == strlen(value) ? 0 : -EIO;
}

int resume_write_sysfs(int power_dirfd, dev_t dev, bool offset_set, uint64_t offset,
		       const char **failed)
{
	char buf[32];
	int r;
	/* the offset first: the write to resume starts the kernel's check for an image */
	if (offset_set) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)offset);
		r = write_attr(power_dirfd, "resume_offset", buf);
		if (r < 0) {
			*failed = "resume_offset";
			return r;
		}
	}
	snprintf(buf, sizeof(buf), "%u:%u", major(dev), minor(dev));
	r = write_attr(power_dirfd, "resume", buf);
	if (r < 0)
		*failed = "resume";
	return r;
}

/* What libblkid's TYPE says about an image, for the "no image" message. */
static const char *type_hint(const char *type, bool swap_file)
{
	if (swap_file)
		return "a swap file at resume_offset= inside it; libblkid sees only the device";
	if (!type)
		return "nothing libblkid recognises: is resume= the swap device?";
	if (streq(type, "swsuspend"))
		return "a hibernation signature, yet the kernel did not restore it: see its PM: "
		       "messages (a different kernel, or resume_offset=?)";
	if (streq(type, "swap"))
		return "a plain swap area, no image";
	return "not a swap area: is resume= the swap device?";
}

static bool device_missing; /* the first look found no device: look again after the root */

static void resume_step(const struct boot_config *bc, struct uevents *u, struct modules *m,
			bool late);

void resume_from_hibernation(const struct boot_config *bc, struct uevents *u, struct modules *m)
{
	resume_step(bc, u, m, false);
}

void resume_after_root_wait(const struct boot_config *bc, struct uevents *u, struct modules *m)
{
	if (device_missing) {
		device_missing = false;
		resume_step(bc, u, m, true);
	}
}

static void resume_step(const struct boot_config *bc, struct uevents *u, struct modules *m,
			bool late)
{
	if (bc->noresume) {
		log_info("resume: noresume given: not resuming%s%s (skipped)",
			 bc->resume ? " from " : "", bc->resume ? bc->resume : "");
		return;
	}
	if (!bc->resume) {
		log_debug("resume: no resume= given");
		return;
	}
	uint64_t t0 = now_ms(), wait = late ? 0 : resume_wait_ms(bc->timeout_ms);
	_cleanup_free_ char *dev = NULL;
	if (device_wait(bc->resume, wait, u, m, "resume", &dev) < 0) {
		if (late) {
			log_warning("resume: resume device %s is still not there after the root "
				    "device; booting without resuming",
				    bc->resume);
			return;
		}
		log_warning("resume: resume device %s did not appear within %llu ms; looking "
			    "again once the root device is there",
			    bc->resume, (unsigned long long)wait);
		device_missing = true;
		return;
	}
	/* A tag that more than one device carries (a cloned disk, a dd'd backup, a second
	 * install's swap, LABEL=swap): the kernel checks only that the image was made by this
	 * kernel build, so the wrong machine's image could be restored over these disks. */
	char others[512];
	int n = device_matches(bc->resume, others, sizeof(others));
	if (n > 1) {
		log_error("resume: resume=%s matches %d devices (%s); not resuming from any: name "
			  "the one (resume=/dev/..., PARTUUID=)",
			  bc->resume, n, others);
		return;
	}
	struct stat st;
	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		log_error("resume: %s (resume=%s) is no block device; booting without resuming",
			  dev, bc->resume);
		return;
	}
	/* probed before the write: the kernel puts the swap signature back when it finds an
	 * image, so only now does TYPE=swsuspend tell that there was one */
	_cleanup_free_ char *type = device_probe_type(dev);
	char offset[48] = "";
	if (bc->resume_offset_set)
		snprintf(offset, sizeof(offset), ", resume_offset=%llu",
			 (unsigned long long)bc->resume_offset);
	log_info("resume: %s is %s (%u:%u, TYPE=%s%s); asking the kernel to resume from it",
		 bc->resume, dev, major(st.st_rdev), minor(st.st_rdev), type ? type : "none",
		 offset);
	/* Under lockdown (Secure Boot) or nohibernate the kernel does not even look at the
	 * device, and the write returns as if there were no image: say so, as an image that is
	 * there is not restored and goes stale once the root is mounted. */
	char state[128] = "";
	if (read_line(SYS_POWER "/state", state, sizeof(state)) == 0 && !strstr(state, "disk")) {
		log_msg(type && streq(type, "swsuspend") ? LOG_ERR : LOG_NOTICE,
			"resume: this kernel cannot resume (hibernation is disabled: lockdown or "
			"nohibernate; /sys/power/state is '%s')%s",
			state,
			type && streq(type, "swsuspend")
				? "; the hibernation image on it is not restored and is stale once "
				  "the root is mounted"
				: "; not resuming");
		return;
	}
	uint64_t t_write = now_ms();
	_cleanup_close_ int dirfd = open(SYS_POWER, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *failed = "";
	int r = dirfd < 0 ? -errno
			  : resume_write_sysfs(dirfd, st.st_rdev, bc->resume_offset_set,
					       bc->resume_offset, &failed);
	if (r < 0) {
		log_error_errno(r, "resume: writing %s%s: %m; booting without resuming",
				SYS_POWER "/", failed);
		return;
	}
	log_notice("resume: no hibernation image on %s (%s, libblkid TYPE=%s: %s); booting on "
		   "after %llu ms (the kernel's check: %llu ms)",
		   bc->resume, dev, type ? type : "none",
		   type_hint(type, bc->resume_offset_set && bc->resume_offset),
		   (unsigned long long)(now_ms() - t0), (unsigned long long)(now_ms() - t_write));
}
