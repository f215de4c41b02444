/* Tests for initrd/console.c: the list of active consoles, and the prompt on several
 * terminals at once (pseudo-terminals stand in for ttyS0 and tty1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../initrd/console.h"

static void test_parse_active(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"tty0 ttyS0\n", "tty0,ttyS0"},
		{"ttyS0\n", "ttyS0"},
		{"", ""},
		{"\n", ""},
		{"ttyS0 ttyS0 tty0", "ttyS0,tty0"},
		{"hvc0  ttyAMA0\tttyS1\n", "hvc0,ttyAMA0,ttyS1"},
		{"../x tty/1 tty1", "tty1"},
		{"a b c d e f g h i j", "a,b,c,d,e,f,g,h"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char names[CONSOLE_MAX][CONSOLE_NAME_MAX], got[256] = "";
		size_t n = console_parse_active(cases[i].text, names, CONSOLE_MAX);
		for (size_t j = 0; j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? "," : "",
				 names[j]);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].text, got, cases[i].want);
	}
}

struct ptys {
	int master[2], slave[2];
};

static void open_ptys(struct ptys *p)
{
	for (int i = 0; i < 2; i++) {
		assert_int_equal(openpty(&p->master[i], &p->slave[i], NULL, NULL, NULL), 0);
		struct termios t;
		assert_int_equal(tcgetattr(p->slave[i], &t), 0);
		t.c_lflag |= ECHO | ICANON;
		assert_int_equal(tcsetattr(p->slave[i], TCSANOW, &t), 0);
	}
}

static void close_ptys(struct ptys *p)
{
	for (int i = 0; i < 2; i++) {
		close(p->master[i]);
		close(p->slave[i]);
	}
}

/* What the terminal's user saw so far (non-blocking). */
static void seen(int master, char *buf, size_t size)
{
	size_t n = 0;
	struct pollfd pfd = {.fd = master, .events = POLLIN};
	while (n + 1 < size && poll(&pfd, 1, 100) > 0) {
		ssize_t r = read(master, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
}

/* A child that waits for the prompt on master, passes what it saw on to pass_on (when >= 0),
 * closes close_fd (when >= 0: a console hanging up) and types line there. */
static pid_t type_after_prompt(int master, const char *line, int pass_on, int close_fd)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char out[256];
		seen(master, out, sizeof(out)); /* wait for the prompt */
		if (pass_on >= 0)
			(void)!write(pass_on, out, strlen(out));
		if (close_fd >= 0)
			close(close_fd);
		_exit(write(master, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1);
	}
	return pid;
}

/* One prompt on both terminals: the answer must be want, typed on console want_from. */
static void expect_answer(struct ptys *p, const char *want, size_t want_from)
{
	char buf[64] = "";
	size_t from = 9;
	ssize_t len = console_prompt_fds(p->slave, 2, "P: ", buf, sizeof(buf), &from);
	if (len != (ssize_t)strlen(want) || memcmp(buf, want, strlen(want)) != 0 ||
	    from != want_from)
		fail_msg("answer '%.*s' (%zd) from console %zu, want '%s' from console %zu",
			 (int)(len > 0 ? len : 0), buf, len, from, want, want_from);
}

/* The prompt on both; the line typed on the second (once its prompt is there: type-ahead is
 * kept from the echo by console_echo_off() at boot) is taken, not echoed on either, and both
 * terminals have their echo back afterwards. */
static void test_prompt_two(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	int shown[2];
	assert_int_equal(pipe(shown), 0);
	pid_t pid = type_after_prompt(p.master[1], "zy-secret\n", shown[1], -1);
	close(shown[1]);
	char buf[64] = "";
	size_t from = 9;
	ssize_t len = console_prompt_fds(p.slave, 2, "Passphrase: ", buf, sizeof(buf), &from);
	int status;
	waitpid(pid, &status, 0);
	assert_int_equal(len, 9);
	assert_memory_equal(buf, "zy-secret", 9);
	assert_int_equal(from, 1);
	for (int i = 0; i < 2; i++) {
		char out[256], more[256];
		seen(i == 1 ? shown[0] : p.master[i], out, sizeof(out));
		seen(p.master[i], more, sizeof(more));
		strncat(out, more, sizeof(out) - strlen(out) - 1);
		if (!strstr(out, "Passphrase: "))
			fail_msg("terminal %d did not show the prompt: '%s'", i, out);
		if (strstr(out, "secret"))
			fail_msg("terminal %d echoed the passphrase: '%s'", i, out);
		struct termios t;
		assert_int_equal(tcgetattr(p.slave[i], &t), 0);
		if (!(t.c_lflag & ECHO))
			fail_msg("terminal %d: echo not restored", i);
	}
	close(shown[0]);
	close_ptys(&p);
}

/* The work begun while a prompt waits starts only once the prompt is on every terminal (a
 * prompt is never later for it), and before the line is read: the hook sees both prompts
 * already written, and the answer it types is the line taken. */
struct shown_state {
	struct ptys *p;
	int calls;
	char saw[2][256];
};

static void on_shown(void *arg)
{
	struct shown_state *st = arg;
	st->calls++;
	for (int i = 0; i < 2; i++)
		seen(st->p->master[i], st->saw[i], sizeof(st->saw[i]));
	(void)!write(st->p->master[0], "typed\n", 6);
}

static void test_prompt_then_after_shown(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	struct shown_state st = {.p = &p};
	char buf[64] = "";
	size_t from = 9;
	ssize_t len = console_prompt_fds_then(p.slave, 2, "Passphrase: ", buf, sizeof(buf), &from,
					      on_shown, &st);
	assert_int_equal(st.calls, 1);
	for (int i = 0; i < 2; i++)
		if (!strstr(st.saw[i], "Passphrase: "))
			fail_msg("terminal %d: the hook ran before the prompt was shown ('%s')", i,
				 st.saw[i]);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "typed", 5);
	assert_int_equal(from, 0);
	close_ptys(&p);
}

/* Typed while the prompt waits (not ahead): a child answers on the first terminal later. */
static void test_prompt_answer_later(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	pid_t pid = type_after_prompt(p.master[0], "late\n", -1, -1);
	expect_answer(&p, "late", 0);
	int status;
	waitpid(pid, &status, 0);
	close_ptys(&p);
}

/* End of input on one console (Ctrl-D) leaves the other to answer; on all of them, -ENODATA. */
static void test_prompt_eof(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	assert_int_equal(write(p.master[0], "\004", 1), 1);
	assert_int_equal(write(p.master[1], "other\n", 6), 6);
	expect_answer(&p, "other", 1);
	assert_int_equal(write(p.master[0], "\004", 1), 1);
	assert_int_equal(write(p.master[1], "\004", 1), 1);
	char buf[64] = "";
	size_t from = 9;
	assert_int_equal(console_prompt_fds(p.slave, 2, "P: ", buf, sizeof(buf), &from), -ENODATA);
	close_ptys(&p);
}

/* Ctrl-D in the middle of a line on one console ends that line there (as cryptsetup's own
 * prompt takes it) instead of leaving /init waiting on that console for more typing while the
 * others go unheard. */
static void test_prompt_eof_midline(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	assert_int_equal(write(p.master[0], "abc\004", 4), 4);
	alarm(10);
	expect_answer(&p, "abc", 0);
	alarm(60);
	/* the console still answers the next prompt */
	assert_int_equal(write(p.master[0], "next\n", 5), 5);
	expect_answer(&p, "next", 0);
	close_ptys(&p);
}

/* A line begun on one console while another answered is dropped: it must not become the start
 * of that console's answer to the next prompt (a retry after a wrong passphrase). */
static void test_prompt_partial_other_dropped(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	assert_int_equal(write(p.master[0], "abc", 3), 3);
	assert_int_equal(write(p.master[1], "right\n", 6), 6);
	expect_answer(&p, "right", 1);
	assert_int_equal(write(p.master[0], "secret\n", 7), 7);
	expect_answer(&p, "secret", 0);
	close_ptys(&p);
}

/* A console that hangs up (a USB serial adapter pulled) while the prompt waits: the other one
 * still answers. */
static void test_prompt_hangup(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	pid_t pid = type_after_prompt(p.master[1], "still\n", -1, p.master[0]);
	close(p.master[0]);
	expect_answer(&p, "still", 1);
	int status;
	waitpid(pid, &status, 0);
	close(p.master[1]);
	close(p.slave[0]);
	close(p.slave[1]);
}

/* A line longer than the buffer is cut to it; its rest does not become the next answer. */
static void test_prompt_long_line(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	char line[601];
	memset(line, 'x', 600);
	line[600] = '\n';
	assert_int_equal(write(p.master[0], line, sizeof(line)), (ssize_t)sizeof(line));
	assert_int_equal(write(p.master[0], "next\n", 5), 5);
	char buf[16] = "";
	size_t from = 9;
	assert_int_equal(console_prompt_fds(p.slave, 2, "P: ", buf, sizeof(buf), &from), 16);
	assert_memory_equal(buf, "xxxxxxxxxxxxxxxx", 16);
	assert_int_equal(console_prompt_fds(p.slave, 2, "P: ", buf, sizeof(buf), &from), 4);
	assert_memory_equal(buf, "next", 4);
	close_ptys(&p);
}

/* Ctrl-C while typing starts the line over (the terminal discards what was typed; /init has
 * no controlling terminal, so no signal is sent), as at a shell prompt. */
static void test_prompt_ctrl_c(void **state)
{
	(void)state;
	struct ptys p;
	open_ptys(&p);
	struct termios t;
	assert_int_equal(tcgetattr(p.slave[0], &t), 0);
	t.c_lflag |= ISIG;
	assert_int_equal(tcsetattr(p.slave[0], TCSANOW, &t), 0);
	assert_int_equal(write(p.master[0], "abc\003secret\n", 11), 11);
	expect_answer(&p, "secret", 0);
	close_ptys(&p);
}

int main(void)
{
	alarm(60); /* a prompt that never returns fails the test instead of hanging it */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_active),
		cmocka_unit_test(test_prompt_two),
		cmocka_unit_test(test_prompt_answer_later),
		cmocka_unit_test(test_prompt_eof),
		cmocka_unit_test(test_prompt_eof_midline),
		cmocka_unit_test(test_prompt_partial_other_dropped),
		cmocka_unit_test(test_prompt_hangup),
		cmocka_unit_test(test_prompt_long_line),
		cmocka_unit_test(test_prompt_ctrl_c),
		cmocka_unit_test(test_prompt_then_after_shown),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
