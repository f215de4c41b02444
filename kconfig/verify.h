/* Requested vs actual: after `make olddefconfig` a requested value may be gone (an unmet
 * `depends on`, a symbol that does not exist, a value of the wrong type). A lost mandatory value
 * is an error, a lost optional one a warning. "n" requested for a symbol that is absent from the
 * final config is met: an invisible symbol is not set (merge_config.sh reports it anyway). */
#pragma once

#include "kconfig.h"
#include "kconfig_tree.h"

struct verify_result {
	size_t checked, matched;
	size_t lost_mandatory, lost_optional;
	size_t undefined, wrong_type;
};

/* tree may be NULL (no undefined/type/depends reports). Messages go to d; returns 0, or
 * -EINVAL when a mandatory value was lost or is invalid. */
int verify_config(const struct kc_set *requested, const struct kc_set *actual,
		  const struct ktree *tree, const char *prefix, struct verify_result *res,
		  struct kc_diags *d);
