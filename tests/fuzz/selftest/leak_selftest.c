/* Leaks one allocation on purpose: `make fuzz-selftest` checks that LeakSanitizer reports it in
 * this environment (it needs ptrace-like access to the process, which some sandboxes deny). */
#include <stdlib.h>
#include <string.h>

void *volatile sink;

int main(void)
{
	char *p = malloc(64);
	if (!p)
		return 2;
	memcpy(p, "leaked on purpose", 18);
	sink = p;
	sink = NULL; /* the only pointer is gone: a definite leak */
	return 0;
}
