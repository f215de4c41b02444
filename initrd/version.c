#include "version.h"

#include <blkid.h>
#include <libcryptsetup.h>
#include <libkmod.h>
#include <stdio.h>

#ifndef CRYPTO_BACKEND
#define CRYPTO_BACKEND "gcrypt"
#endif
#ifndef INITKIT_VERSION
#define INITKIT_VERSION "0.1"
#endif

const char *initkit_version_line(void)
{
	static char line[256];
	const char *blkid_ver = NULL, *blkid_date = NULL;
	const struct crypt_pbkdf_type *pbkdf = crypt_get_pbkdf_default(CRYPT_LUKS2);
	struct kmod_ctx *kmod = kmod_new("/nonexistent", NULL);

	blkid_get_library_version(&blkid_ver, &blkid_date);
	/* libcryptsetup and libkmod have no run-time version call: the versions are the ones
	 * pkg-config reported at build time; the calls above prove the code is linked in. */
	snprintf(line, sizeof(line),
		 "initkit %s (libcryptsetup %s [" CRYPTO_BACKEND
		 ", default pbkdf %s], libkmod %s%s, "
		 "libblkid %s)",
		 INITKIT_VERSION, CRYPTSETUP_VERSION, pbkdf ? pbkdf->type : "?", KMOD_VERSION,
		 kmod ? "" : " [init failed]", blkid_ver ? blkid_ver : "?");
	kmod_unref(kmod);
	return line;
}
