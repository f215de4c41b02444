/* The stage-2 "init" of the QEMU test root filesystems: proves the switch happened by printing
 * a marker with /proc/uptime and its PID (which must be 1), then powers off.
 * Built statically: the test root has no libc. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status = 1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* test.kexec=OPEN on the command line: kexec (Debian's kexec-tools, in the test root) into
 * the same kernel and initkit image, with test.hook.open=OPEN so the image's hook unlocks the
 * disk before initkit-init reaches it (as a kexec hand-over does). */
static void maybe_kexec(void)
{
	char cmd[4096], next[4200] = "", load[4300];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
	if (f)
		fclose(f);
	cmd[n] = 0;
	cmd[strcspn(cmd, "\n")] = 0;
	char *open_spec = NULL;
	for (char *save, *w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strncmp(w, "test.kexec=", 11) == 0) {
			open_spec = w + 11;
			continue;
		}
		strncat(next, w, sizeof(next) - strlen(next) - 2);
		strcat(next, " ");
	}
	if (!open_spec)
		return;
	size_t len = strlen(next);
	snprintf(next + len, sizeof(next) - len, "test.hook.open=%s test.kexeced=1", open_spec);
	snprintf(load, sizeof(load), "--command-line=%s", next);
	printf("INITKIT-STAGE2 kexec with: %s\n", next);
	fflush(stdout);
	sync();
	char *const l[] = {"/sbin/kexec", "-l", "/boot/vmlinuz", "--initrd=/boot/initrd.img",
			   load,	  NULL};
	char *const e[] = {"/sbin/kexec", "-e", NULL};
	if (run(l) != 0 || run(e) != 0)
		printf("INITKIT-STAGE2 kexec failed\n");
}

int main(int argc, char **argv)
{
	char up[64] = "?";
	int fd = open("/proc/uptime", O_RDONLY);
	if (fd < 0) {
		mount("proc", "/proc", "proc", 0, NULL);
		fd = open("/proc/uptime", O_RDONLY);
	}
	if (fd >= 0) {
		ssize_t n = read(fd, up, sizeof(up) - 1);
		up[n > 0 ? n : 0] = 0;
		up[strcspn(up, " \n")] = 0;
		close(fd);
	}
	struct stat root;
	stat("/", &root);
	printf("INITKIT-STAGE2 reached: pid=%d uptime=%s argv0=%s", (int)getpid(), up, argv[0]);
	for (int i = 1; i < argc; i++)
		printf(" arg%d=%s", i, argv[i]);
	printf("\n");
	/* What the scenarios check after the switch: what is mounted, the initramfs is gone. */
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[256];
	while (m && fgets(line, sizeof(line), m))
		printf("INITKIT-STAGE2 mount: %s", line);
	if (access("/init", F_OK) != 0)
		printf("INITKIT-STAGE2 no /init in new root\n");
	/* What stage 1 left in /run for stage 2 (the fsck log and stamp): names, modes, and
	 * the fsck log itself. */
	static const char *const rundirs[] = {"/run/initkit", "/run/initramfs"};
	for (size_t i = 0; i < sizeof(rundirs) / sizeof(rundirs[0]); i++) {
		DIR *rd = opendir(rundirs[i]);
		struct dirent *re;
		while (rd && (re = readdir(rd))) {
			char p[512];
			struct stat st;
			snprintf(p, sizeof(p), "%s/%s", rundirs[i], re->d_name);
			if (re->d_name[0] != '.' && lstat(p, &st) == 0)
				printf("INITKIT-STAGE2 run: %s mode %04o size %lld\n", p,
				       (unsigned)(st.st_mode & 07777), (long long)st.st_size);
		}
		if (rd)
			closedir(rd);
	}
	FILE *fl = fopen("/run/initkit/fsck.log", "r");
	while (fl && fgets(line, sizeof(line), fl))
		printf("INITKIT-STAGE2 fsck.log: %s", line);
	if (fl)
		fclose(fl);
	/* test.timeline=1: stage 1's timeline, line by line (the benchmark reads it back). */
	char cmdline[4096] = "";
	FILE *cf = fopen("/proc/cmdline", "r");
	if (cf && !fgets(cmdline, sizeof(cmdline), cf))
		cmdline[0] = 0;
	if (cf)
		fclose(cf);
	FILE *tl = strstr(cmdline, "test.timeline=1") ? fopen("/run/initkit/timeline.json", "r")
						      : NULL;
	char tline[1024];
	long long init_us = -1, switch_us = -1, total_ms = -1;
	while (tl && fgets(tline, sizeof(tline), tl)) {
		printf("INITKIT-STAGE2 timeline: %s", tline);
		char *k;
		if ((k = strstr(tline, "\"init_start_us\": ")))
			init_us = atoll(k + 17);
		if ((k = strstr(tline, "\"switch_us\": ")))
			switch_us = atoll(k + 13);
		if ((k = strstr(tline, "\"total_ms\": ")))
			total_ms = atoll(k + 12);
	}
	/* the timeline's own figure, /init's start to the switch, is stage 1's "after N ms"
	 * (two clocks read microseconds apart and rounded to ms: 2 ms either way) */
	if (tl) {
		long long d =
			switch_us >= init_us && init_us >= 0 ? (switch_us - init_us) / 1000 : -1;
		printf("INITKIT-STAGE2 timeline-total: switch - init start = %lld ms, total_ms "
		       "%lld: "
		       "%s\n",
		       d, total_ms,
		       d >= 0 && total_ms >= 0 && d - total_ms <= 2 && total_ms - d <= 2
			       ? "consistent"
			       : "differs");
	}
	if (tl)
		fclose(tl);
	/* Every process with an argv but us: what stage 1 left running in the new system. */
	DIR *pd = opendir("/proc");
	struct dirent *de;
	while (pd && (de = readdir(pd))) {
		char path[300], cmd[256] = "";
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		int cfd = open(path, O_RDONLY);
		ssize_t cn = cfd >= 0 ? read(cfd, cmd, sizeof(cmd) - 1) : 0;
		if (cfd >= 0)
			close(cfd);
		if (cn > 0) {
			cmd[cn] = 0;
			printf("INITKIT-STAGE2 proc: %s %s\n", de->d_name, cmd);
			continue;
		}
		/* No argv: a kernel thread, or a process that blanked it; the latter has a
		 * memory map (kernel threads have none), so name it by comm. */
		char comm[64] = "", maps[8];
		snprintf(path, sizeof(path), "/proc/%s/maps", de->d_name);
		cfd = open(path, O_RDONLY);
		cn = cfd >= 0 ? read(cfd, maps, sizeof(maps)) : 0;
		if (cfd >= 0)
			close(cfd);
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		cfd = open(path, O_RDONLY);
		ssize_t k = cfd >= 0 ? read(cfd, comm, sizeof(comm) - 1) : 0;
		if (cfd >= 0)
			close(cfd);
		comm[k > 0 ? k : 0] = 0;
		comm[strcspn(comm, "\n")] = 0;
		if (cn > 0)
			printf("INITKIT-STAGE2 proc: %s [%s, no argv]\n", de->d_name, comm);
	}
	if (pd)
		closedir(pd);
	/* Everything stage 1 left behind that a secret could hide in: our environment and the
	 * whole kernel log (debug messages too), so scenarios can forbid a passphrase in them. */
	extern char **environ;
	for (char **e = environ; *e; e++)
		printf("INITKIT-STAGE2 env: %s\n", *e);
	int kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	char rec[2048];
	ssize_t k;
	while (kfd >= 0 && (k = read(kfd, rec, sizeof(rec) - 1)) > 0) {
		rec[k] = 0;
		char *msg = strchr(rec, ';');
		if (msg && (strstr(msg, "initkit") || strstr(msg, "luks") || strstr(msg, "crypt")))
			printf("INITKIT-STAGE2 kmsg: %s", msg + 1);
	}
	fflush(stdout);
	if (getpid() == 1)
		maybe_kexec();
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
