/* libFuzzer target: the unit-file reader (stage2/unitfile.c) and what initkit-confine makes of
 * the X-Initkit-* keys (stage2/confine.c confine_read): the input is one unit file. */
#include <errno.h>

#include "fuzz.h"
#include "stage2/confine.h"
#include "stage2/unitfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct unit_conf c;
	unit_conf_init(&c);
	int r = unitfile_parse(&c, "/etc/systemd/system/f.service", text, size, "Service");
	FUZZ_CHECK(r == 0);
	for (size_t i = 0; i < c.n; i++) {
		FUZZ_CHECK(c.v[i].key && c.v[i].value && c.v[i].line >= 1);
		FUZZ_CHECK(!strchr(c.v[i].key, '\n') && !strchr(c.v[i].value, '\n'));
	}
	struct confine_request req;
	char err[1024];
	err[0] = 0;
	r = confine_read(&c, &req, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	FUZZ_CHECK(r != -EINVAL || err[0]);
	FUZZ_CHECK(r != 1 || req.mode == CONFINE_NONE || req.n_execs > 0);
	confine_request_free(&req);
	unit_conf_free(&c);
	free(text);
	return 0;
}
