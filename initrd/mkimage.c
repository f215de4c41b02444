/* initkit-mkimage: writes the initramfs (newc cpio). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "log.h"
#include "util.h"

static int read_file(const char *path, void **data, size_t *size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	void *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	*data = buf;
	*size = got;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"init", required_argument, NULL, 'i'},
		{"kver", required_argument, NULL, 'k'},
		{"moddir", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *out = NULL, *init = NULL;
	int c;
	log_setup("initkit-mkimage", false);
	while ((c = getopt_long(argc, argv, "o:i:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'i':
			init = optarg;
			break;
		case 'k':
		case 'm':
			break;
		case 'h':
			printf("Usage: initkit-mkimage -o IMAGE --init INIT\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!out || !init) {
		log_error("both --output and --init are required (see --help)");
		return 2;
	}
	struct cpio cp;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	cpio_init(&cp, sde ? (uint32_t)strtoul(sde, NULL, 10) : 0);
	void *data = NULL;
	size_t size = 0;
	int r = read_file(init, &data, &size);
	if (r < 0) {
		log_error_errno(r, "init binary %s: %m", init);
		return 1;
	}
	static const char *const dirs[] = {"dev", "proc", "sys", "run", "etc"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		cpio_write_dir(&cp, dirs[i], 0755);
	cpio_write_file(&cp, "init", 0755, data, size);
	free(data);
	cpio_finish(&cp);
	FILE *f = fopen(out, "we");
	if (!f || fwrite(cp.buf, 1, cp.len, f) != cp.len || fclose(f) != 0) {
		log_error("writing %s: %m", out);
		return 1;
	}
	printf("%s: %zu bytes\n", out, cp.len);
	cpio_free(&cp);
	return 0;
}
