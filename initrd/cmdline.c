/* Kernel command line splitting; see cmdline.h for the rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"

/* The kernel's ctype table (lib/ctype.c) also counts Latin-1 NBSP (0xa0) as a space. */
static bool kernel_isspace(char c)
{
	unsigned char u = (unsigned char)c;
	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static char *skip_spaces(char *s)
{
	while (kernel_isspace(*s))
		s++;
	return s;
}

/* Cuts the next word off s in place, with the kernel's quote rules (lib/cmdline.c
 * next_arg()). Returns where the following word starts. */
static char *next_word(char *s, char **key, char **value)
{
	bool in_quote = false, quoted = false;
	size_t i, eq = 0;

	if (*s == '"') {
		s++;
		in_quote = quoted = true;
	}
	for (i = 0; s[i]; i++) {
		if (kernel_isspace(s[i]) && !in_quote)
			break;
		/* Like the kernel: the first '=' after position 0 separates the value. */
		if (eq == 0 && s[i] == '=')
			eq = i;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	*key = s;
	*value = NULL;
	if (eq) {
		s[eq] = '\0';
		*value = s + eq + 1;
		if (**value == '"') {
			(*value)++;
			if (s[i - 1] == '"')
				s[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && s[i - 1] == '"')
		s[i - 1] = '\0';
	if (!s[i])
		return s + i;
	s[i] = '\0';
	return skip_spaces(s + i + 1);
}

static int push_param(struct cmdline *c, const char *key, const char *value)
{
	if (!*key)
		return 0; /* a lone "" carries nothing */
	struct cmdline_param *p = reallocarray(c->params, c->n_params + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->params = p;
	p[c->n_params].key = strdup(key);
	p[c->n_params].value = value ? strdup(value) : NULL;
	c->n_params++;
	if (!p[c->n_params - 1].key || (value && !p[c->n_params - 1].value))
		return -ENOMEM;
	return 0;
}

/* init/main.c puts "key=value" back together for init's argv (repair_env_string()). */
static int push_init_arg(struct cmdline *c, const char *key, const char *value)
{
	char **v = reallocarray(c->init_args, c->n_init_args + 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->init_args = v;
	char *arg = NULL;
	if (!value)
		arg = strdup(key);
	else if (asprintf(&arg, "%s=%s", key, value) < 0)
		arg = NULL;
	v[c->n_init_args] = arg;
	v[c->n_init_args + 1] = NULL;
	if (!arg)
		return -ENOMEM;
	c->n_init_args++;
	return 0;
}

static int split(char *s, struct cmdline *out)
{
	bool after_dashes = false;
	int r;

	s = skip_spaces(s);
	while (*s) {
		char *key, *value;
		s = next_word(s, &key, &value);
		if (!after_dashes && !value && streq(key, "--")) {
			after_dashes = true;
			continue;
		}
		r = after_dashes ? push_init_arg(out, key, value) : push_param(out, key, value);
		if (r < 0)
			return r;
	}
	return 0;
}

int cmdline_parse(const char *buf, size_t len, struct cmdline *out)
{
	*out = (struct cmdline){0};
	out->init_args = calloc(1, sizeof(char *));
	/* The kernel's command line is a C string: the first NUL ends it. */
	_cleanup_free_ char *copy = strndup(buf ? buf : "", buf ? len : 0);
	if (!out->init_args || !copy) {
		cmdline_free(out);
		return -ENOMEM;
	}
	int r = split(copy, out);
	if (r < 0)
		cmdline_free(out);
	return r;
}

void cmdline_free(struct cmdline *c)
{
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
	}
	free(c->params);
	for (size_t i = 0; c->init_args && c->init_args[i]; i++)
		free(c->init_args[i]);
	free(c->init_args);
	*c = (struct cmdline){0};
}
