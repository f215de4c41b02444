/* Tests for initrd/resume.c: the wait bound and the /sys/power writes, on a directory that
 * stands in for /sys/power (files the test creates; a directory where a write must fail). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../initrd/bootconf.h"
#include "../initrd/resume.h"

static void test_wait_bound(void **state)
{
	(void)state;
	assert_int_equal(resume_wait_ms(BOOT_TIMEOUT_INFINITY), RESUME_WAIT_MAX_MS);
	assert_int_equal(resume_wait_ms(BOOT_TIMEOUT_DEFAULT_MS), RESUME_WAIT_MAX_MS);
	assert_int_equal(resume_wait_ms(2000), 2000);
	assert_int_equal(resume_wait_ms(RESUME_WAIT_MAX_MS), RESUME_WAIT_MAX_MS);
}

struct power_dir {
	char path[64];
	int fd;
};

/* files: names made as empty files; dirs: names made as directories (writes fail) */
static void power_dir_make(struct power_dir *p, const char *const *files, const char *const *dirs)
{
	snprintf(p->path, sizeof(p->path), "/tmp/initkit-test-power.XXXXXX");
	assert_non_null(mkdtemp(p->path));
	p->fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(p->fd >= 0);
	for (size_t i = 0; files && files[i]; i++) {
		int fd = openat(p->fd, files[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	for (size_t i = 0; dirs && dirs[i]; i++)
		assert_int_equal(mkdirat(p->fd, dirs[i], 0755), 0);
}

/* The content of name, "" when empty, "(none)" when absent. */
static const char *power_read(struct power_dir *p, const char *name)
{
	static char buf[64];
	int fd = openat(p->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "(none)";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void power_dir_remove(struct power_dir *p)
{
	static const char *const names[] = {"resume", "resume_offset"};
	for (size_t i = 0; i < 2; i++)
		if (unlinkat(p->fd, names[i], 0) < 0)
			unlinkat(p->fd, names[i], AT_REMOVEDIR);
	close(p->fd);
	rmdir(p->path);
}

static void test_writes_dev(void **state)
{
	(void)state;
	struct power_dir p;
	const char *failed = NULL;
	power_dir_make(&p, (const char *const[]){"resume", "resume_offset", NULL}, NULL);
	assert_int_equal(resume_write_sysfs(p.fd, makedev(254, 1), false, 0, &failed), 0);
	assert_string_equal(power_read(&p, "resume"), "254:1");
	/* no resume_offset= given: the kernel's own value (its command line) stays */
	assert_string_equal(power_read(&p, "resume_offset"), "");
	power_dir_remove(&p);
}

static void test_writes_offset_first(void **state)
{
	(void)state;
	struct power_dir p;
	const char *failed = NULL;
	/* resume cannot be written: the offset must be there already, and the error names resume */
	power_dir_make(&p, (const char *const[]){"resume_offset", NULL},
		       (const char *const[]){"resume", NULL});
	assert_int_equal(resume_write_sysfs(p.fd, makedev(8, 2), true, 34816, &failed), -EISDIR);
	assert_string_equal(failed, "resume");
	assert_string_equal(power_read(&p, "resume_offset"), "34816");
	power_dir_remove(&p);
	/* resume_offset cannot be written: resume is not written either */
	power_dir_make(&p, (const char *const[]){"resume", NULL},
		       (const char *const[]){"resume_offset", NULL});
	assert_int_equal(resume_write_sysfs(p.fd, makedev(8, 2), true, 1, &failed), -EISDIR);
	assert_string_equal(failed, "resume_offset");
	assert_string_equal(power_read(&p, "resume"), "");
	power_dir_remove(&p);
	/* both written, a large minor and the largest offset */
	power_dir_make(&p, (const char *const[]){"resume", "resume_offset", NULL}, NULL);
	assert_int_equal(resume_write_sysfs(p.fd, makedev(259, 1048575), true, UINT64_MAX, &failed),
			 0);
	assert_string_equal(power_read(&p, "resume_offset"), "18446744073709551615");
	assert_string_equal(power_read(&p, "resume"), "259:1048575");
	power_dir_remove(&p);
}

static void test_missing_attribute(void **state)
{
	(void)state;
	struct power_dir p;
	const char *failed = NULL;
	/* a kernel without CONFIG_HIBERNATION has no /sys/power/resume */
	power_dir_make(&p, NULL, NULL);
	assert_int_equal(resume_write_sysfs(p.fd, makedev(8, 2), false, 0, &failed), -ENOENT);
	assert_string_equal(failed, "resume");
	power_dir_remove(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_bound),
		cmocka_unit_test(test_writes_dev),
		cmocka_unit_test(test_writes_offset_first),
		cmocka_unit_test(test_missing_attribute),
	};
	return cmocka_run_group_tests_name("resume", tests, NULL, NULL);
}
